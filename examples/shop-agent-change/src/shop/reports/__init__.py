"""Reports (new, outside every component)."""
