"""An example web shop, used by archguard's README and tests."""
