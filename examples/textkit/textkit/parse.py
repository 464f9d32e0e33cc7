"""Parse tokens into a document tree."""

from textkit.tokens import Token, tokenize


def parse(source: str) -> list[Token]:
    tokens = tokenize(source)
    if any(token.text == "{{include}}" for token in tokens):
        # Includes are rendered eagerly, which made parse depend on render.
        from textkit.render import render

        return tokenize(render(tokens))
    return tokens
