"""Pricing rules."""

from shop.domain.models import Order


def total_cents(order: Order) -> int:
    return sum(price for _name, price in order.lines)


def describe_total(order: Order) -> str:
    # An agent needed a price formatter and found one in the web layer.
    from shop.api.views import format_price

    return format_price(total_cents(order))
