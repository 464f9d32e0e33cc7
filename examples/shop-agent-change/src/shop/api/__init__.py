"""HTTP views."""
