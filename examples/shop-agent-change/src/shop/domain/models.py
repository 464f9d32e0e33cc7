"""Business types."""

from dataclasses import dataclass, field


@dataclass
class Order:
    id: str
    lines: list[tuple[str, int]] = field(default_factory=list)
