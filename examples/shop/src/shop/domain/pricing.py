"""Pricing rules."""

from shop.domain.models import Order


def total_cents(order: Order) -> int:
    return sum(price for _name, price in order.lines)


def order_summary(order: Order, currency: str = "EUR") -> str:
    """One line per order line, then the total."""
    rows = []
    total = 0
    for name, price in order.lines:
        if price < 0:
            raise ValueError(f"negative price for {name}")
        rows.append(f"{name}: {price / 100:.2f} {currency}")
        total += price
    rows.append(f"total: {total / 100:.2f} {currency}")
    return "\n".join(rows)
