"""The billing service. Outsiders use shop.billing.api only."""
