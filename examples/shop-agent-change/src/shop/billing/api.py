"""The billing service's public interface."""

from shop.billing.ledger import Ledger
from shop.domain.models import Order
from shop.domain.pricing import total_cents

_LEDGER = Ledger()


def open_invoice(order: Order) -> None:
    _LEDGER.record(order.id, total_cents(order))


def invoice_total(order: Order) -> int:
    return total_cents(order)
