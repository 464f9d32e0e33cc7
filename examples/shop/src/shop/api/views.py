"""HTTP views: turn requests into calls to the services."""

from shop.billing.api import invoice_total
from shop.domain.models import Order
from shop.orders.service import place_order


def post_order(payload: dict) -> dict:
    order = place_order(Order(id=payload["id"], lines=payload["lines"]))
    return {"id": order.id, "total": invoice_total(order)}


def format_price(cents: int) -> str:
    return f"{cents / 100:.2f} EUR"
