"""bremen."""
