"""swaths."""
