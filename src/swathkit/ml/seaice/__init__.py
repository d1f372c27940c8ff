"""seaice."""
