"""Moving bytes without losing any: sessions, retries, limits, resume, verification."""
