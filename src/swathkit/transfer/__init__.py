"""Moving bytes without losing any: sessions, retries, limits, resume, verification."""

from swathkit.transfer.engine import TransferEngine
from swathkit.transfer.limits import AdaptiveLimit, CircuitBreaker
from swathkit.transfer.retry import RetryPolicy
from swathkit.transfer.session import Session, SessionFactory
from swathkit.transfer.tasks import FetchFailure, FetchResult, FetchTask

__all__ = [
    "AdaptiveLimit",
    "CircuitBreaker",
    "FetchFailure",
    "FetchResult",
    "FetchTask",
    "RetryPolicy",
    "Session",
    "SessionFactory",
    "TransferEngine",
]
