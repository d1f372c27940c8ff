"""The one error tree of swathkit.

::

    SwathkitError
    ├── InputError                  the user asked for something impossible (also a ValueError)
    ├── FetchError                  moving bytes failed
    │   ├── TransientFetchError     worth retrying (timeouts, 5xx, dropped links, short reads)
    │   │   └── ThrottledError      the server said "slow down" (429, 503, session cap)
    │   ├── PermanentFetchError     retrying cannot help (404, bad request)
    │   │   ├── AuthError           credentials refused
    │   │   ├── NotPublishedError   the archive has no such file (404): not a job failure
    │   │   └── UnsafeArchiveError  a zip refused before extraction (layout, paths, bombs)
    │   ├── VerificationError       fetched bytes are not the product (size, checksum, format)
    │   │   └── CorruptArchiveError a zip's bytes are damaged (not a zip, bad CRC, truncated)
    │   └── ArchiveUnavailableError the circuit breaker gave up: the server is down
    ├── ProductError                a file is not the product it claims to be
    │   ├── FileNameError           a file name breaks the product's grammar
    │   └── FormatError             bad bytes: not HDF5, truncated, missing dataset, bad values
    └── StoreError                  a store cannot be opened, written or trusted
        ├── StoreLockedError        another writer holds the store
        └── StoreCorruptError       stored data does not match its checksums

``TransientFetchError`` is retried with backoff; ``VerificationError`` leads to one
fresh fetch (corruption in transit); nothing else is retried.
"""

from __future__ import annotations


class SwathkitError(Exception):
    """Base of every error swathkit raises on purpose."""


class InputError(SwathkitError, ValueError):
    """Bad user input: a missing file, an impossible date range, an unknown name.

    The message is one line that names the input and says what to do; the CLI
    prints it without a traceback and exits with code 2.
    """


class FetchError(SwathkitError):
    """Moving bytes from an archive failed."""


class TransientFetchError(FetchError):
    """A fetch failure that may succeed when retried.

    Args:
        message: What happened.
        retry_after: Seconds the server asked us to wait, if it said.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ThrottledError(TransientFetchError):
    """The server asked us to slow down (HTTP 429/503, too many sessions)."""


class PermanentFetchError(FetchError):
    """A fetch failure that retrying cannot fix."""


class AuthError(PermanentFetchError):
    """The archive refused the credentials."""


class NotPublishedError(PermanentFetchError):
    """The archive does not publish this file (HTTP 404)."""


class UnsafeArchiveError(PermanentFetchError):
    """A zip was refused before anything was extracted: unexpected or unsafe member names,
    links, sizes over the caps, impossible compression, overlapping entries (zip bombs)."""


class VerificationError(FetchError):
    """Fetched bytes failed verification (size, checksum, or opening as the product).

    Re-fetching once may help (corruption in transit); the transfer engine decides.
    """


class CorruptArchiveError(VerificationError):
    """A zip's bytes are damaged: not a zip, a member failing its CRC, or truncated data."""


class ArchiveUnavailableError(FetchError):
    """Too many consecutive failures: the archive looks down and the job stopped."""


class ProductError(SwathkitError):
    """A file is not a valid instance of its product."""


class FileNameError(ProductError, ValueError):
    """A file name does not follow the product's naming grammar."""


class FormatError(ProductError):
    """A file's content is unreadable or implausible."""


class StoreError(SwathkitError):
    """A store cannot be opened, written or trusted."""


class StoreLockedError(StoreError):
    """Another writer holds the store's lock."""


class StoreCorruptError(StoreError):
    """Stored data do not match their recorded checksums."""
