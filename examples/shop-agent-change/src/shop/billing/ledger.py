"""The ledger (internal to billing)."""

from shop.infra.db import execute


class Ledger:
    def record(self, order_id: str, cents: int) -> None:
        execute("INSERT INTO ledger VALUES (?, ?)", (order_id, cents))
