"""The orders service. Outsiders use shop.orders.service only."""
