"""Persistence of orders (internal to the orders service)."""

from shop.domain.models import Order
from shop.infra.db import execute


def save(order: Order) -> None:
    execute("INSERT INTO orders VALUES (?)", (order.id,))
