"""gportal."""
