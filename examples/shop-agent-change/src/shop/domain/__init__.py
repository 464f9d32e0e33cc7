"""Pure business types and rules."""
