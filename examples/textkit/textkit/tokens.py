"""Tokens of the markup language."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokenize(source: str) -> list[Token]:
    return [Token("word", word) for word in source.split()]
