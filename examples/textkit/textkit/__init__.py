"""textkit: tokenise, parse and render small markup documents."""

from textkit.parse import parse
from textkit.render import render

__all__ = ["parse", "render"]
