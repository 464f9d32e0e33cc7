"""Pricing rules."""

from shop.domain.models import Order


def total_cents(order: Order) -> int:
    return sum(price for _name, price in order.lines)
