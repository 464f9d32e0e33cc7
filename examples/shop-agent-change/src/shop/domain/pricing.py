"""Pricing rules."""

from shop.domain.models import Order


def total_cents(order: Order) -> int:
    return sum(price for _name, price in order.lines)


def describe_total(order: Order) -> str:
    # An agent needed a price formatter and found one in the web layer.
    from shop.api.views import format_price

    return format_price(total_cents(order))


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
