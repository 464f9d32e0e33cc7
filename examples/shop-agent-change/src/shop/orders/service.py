"""The orders service's public interface."""

from shop.billing.api import open_invoice
from shop.domain.models import Order
from shop.orders.repository import save


def place_order(order: Order) -> Order:
    save(order)
    open_invoice(order)
    return order
