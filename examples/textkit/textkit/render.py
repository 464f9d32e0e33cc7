"""Render a document tree back to text."""

from textkit.parse import parse
from textkit.tokens import Token


def render(tokens: list[Token]) -> str:
    return " ".join(token.text for token in tokens)


def roundtrip(source: str) -> str:
    return render(parse(source))
