"""Read a remote file by HTTP Range requests, as a seekable file object (a rasterio opener).

:class:`RangeOpener` is a callable ``(url, mode) → file`` that rasterio ≥ 1.4 accepts as
``rasterio.open(url, opener=...)``: GDAL then reads only the bytes it needs (a COG's
header, then the internal tiles under a window). Each :class:`RangeFile` fetches whole
blocks (``block_size``) through swathkit's :class:`~swathkit.archives.http.HttpClient` (its
TLS, cookies and auth: :class:`~swathkit.archives.ers.ErsAuth` turns an HTML login page
answered for a ``.TIF`` into an ``AuthError``); the opener keeps the last ``cache_blocks``
of them, so GDAL's many small reads and re-opens cost few requests. A caller that knows
which byte ranges GDAL is about to read (a COG's internal tiles under a window) fetches
them first with :meth:`RangeOpener.prefetch`: the missing blocks, runs of them merged
into one request each. GDAL reports a
failed read as its own error; the fetch error behind it is kept in
``RangeOpener.last_error``. Each block request is retried with the
:class:`~swathkit.transfer.retry.RetryPolicy`; a body shorter than asked is a transient
failure (retried); an answer that ignores ``Range`` is refused (it would send the whole
file).

::

    with HttpClient(auth=ErsAuth.resolve()) as http:
        opener = RangeOpener(http)
        merged = read_merged([href], box, opener=opener)
        opener.bytes_fetched, opener.requests
"""

from __future__ import annotations

import io
import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from swathkit.archives.http import HttpClient
from swathkit.errors import FetchError, InputError, PermanentFetchError, TransientFetchError
from swathkit.transfer.retry import RetryPolicy

__all__ = ["BLOCK_SIZE", "RangeFile", "RangeOpener"]

BLOCK_SIZE = 64 * 1024
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class RangeOpener:
    """Open URLs as :class:`RangeFile` s sharing clients and one block cache.

    rasterio opens a dataset's file several times (to probe, then to read): the blocks
    and sizes are kept here, by URL, so a re-open costs no request. Counts what it fetched.
    Threads may share an opener: each request borrows one of the clients given (a client
    serves one thread at a time), and a block one thread is fetching is waited for, not
    fetched again by another, so the bytes and requests of a run do not depend on how the
    threads interleave. ``last_error`` and :meth:`thread_bytes` are the calling thread's.

    Args:
        http: The client, or several (as many requests in flight as clients).
        block_size: Bytes per block: the unit of a Range request and of the cache.
        cache_blocks: Blocks kept (least recently used dropped first), all URLs together.
        head: Bytes brought by the first request of a URL (rounded up to whole blocks;
            default one block): a header read at once, while the blocks after it stay
            small, so a prefetched run wastes little at its ends.
        retry: Retries of each block request (default: :class:`RetryPolicy`'s).
    """

    def __init__(self, http: HttpClient | Sequence[HttpClient], *,
                 block_size: int = BLOCK_SIZE, cache_blocks: int = 256,
                 retry: RetryPolicy | None = None, head: int | None = None) -> None:
        if block_size < 1 or cache_blocks < 1 or (head is not None and head < 1):
            raise InputError(f"block size {block_size}, cache of {cache_blocks} blocks and "
                             f"head of {head} bytes: give 1 or more of each")
        clients = [http] if isinstance(http, HttpClient) else list(http)
        if not clients:
            raise InputError("RangeOpener: give at least one HTTP client")
        self.block_size, self.cache_blocks = block_size, cache_blocks
        self.head_blocks = 1 if head is None else -(-head // block_size)
        self.retry = retry or RetryPolicy()
        self.bytes_fetched = 0
        self.requests = 0
        self._clients = len(clients)
        self._free: queue.SimpleQueue[HttpClient] = queue.SimpleQueue()
        for client in clients:
            self._free.put(client)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._blocks: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._pending: dict[tuple[str, int], threading.Event] = {}
        self._sizes: dict[str, int] = {}

    @property
    def last_error(self) -> FetchError | None:
        """The calling thread's last fetch error (GDAL hides it behind its own error)."""
        error: FetchError | None = getattr(self._local, "error", None)
        return error

    @last_error.setter
    def last_error(self, error: FetchError | None) -> None:
        self._local.error = error

    def thread_bytes(self) -> int:
        """Bytes fetched so far by the calling thread."""
        fetched: int = getattr(self._local, "bytes", 0)
        return fetched

    def __call__(self, url: str, mode: str = "rb") -> RangeFile:
        if mode not in ("r", "rb"):
            raise InputError(f"{url}: mode {mode!r}; HTTP files are read-only ('rb')")
        if not url.startswith(("https://", "http://")):
            # rasterio probes its opener with a bare name ("test") on each open: no request,
            # and no last_error to stand in for a real failure later
            raise FileNotFoundError(f"{url}: not an http(s) URL")
        return RangeFile(url, self)

    def size(self, url: str) -> int:
        """The size of ``url`` (its first block is fetched to learn it)."""
        with self._lock:
            size = self._sizes.get(url)
        if size is None:
            self.block(url, 0)
            with self._lock:
                size = self._sizes[url]
        return size

    def block(self, url: str, index: int) -> bytes:
        """Block ``index`` of ``url`` (from the cache, else by one Range request, or by
        waiting for the thread already fetching it)."""
        key = (url, index)
        while True:
            with self._lock:
                cached = self._blocks.get(key)
                if cached is not None:
                    self._blocks.move_to_end(key)
                    return cached
                busy = self._pending.get(key)
                if busy is None:
                    head = url not in self._sizes and index < self.head_blocks
                    first, count = (0, self.head_blocks) if head else (index, 1)
                    run = self._claim(url, range(first, first + count))
            if busy is not None:
                busy.wait()
                continue  # cached now, or the other fetch failed: try ourselves
            data = self._fetch_run(url, first, first + count - 1, run)
            return data[(index - first) * self.block_size:(index - first + 1) * self.block_size]

    def prefetch(self, url: str, ranges: Iterable[tuple[int, int]], *, gap: int = 1) -> int:
        """Cache the blocks covering the byte ranges ``[start, end)`` of ``url``.

        Missing blocks are fetched in runs, one Range request per run, the runs at once
        (as many as there are clients); runs apart by at most ``gap`` blocks are merged
        (the blocks between them are fetched too: fewer requests for a few more bytes).
        Blocks cached or being fetched by another thread cost nothing. A run that would
        not fit the cache is not fetched (the reads then fetch what they need).

        Returns:
            The Range requests sent.
        """
        bs, size = self.block_size, self.size(url)
        wanted: set[int] = set()
        for start, end in ranges:
            end = min(end, size)
            if end > start >= 0:
                wanted.update(range(start // bs, (end - 1) // bs + 1))
        with self._lock:
            missing = sorted(i for i in wanted
                             if (url, i) not in self._blocks and (url, i) not in self._pending)
            runs = [(first, last, self._claim(url, range(first, last + 1)))
                    for first, last in _runs(missing, gap) if last - first + 1 <= self.cache_blocks]
        if len(runs) <= 1 or self._clients == 1:
            for first, last, claimed in runs:
                self._fetch_run(url, first, last, claimed)
            return len(runs)

        def fetch(run: tuple[int, int, dict[int, threading.Event]]) -> int:
            before = self.thread_bytes()
            self._fetch_run(url, *run)
            return self.thread_bytes() - before

        # the runs at once (one round trip, not one each), as many as there are clients
        with ThreadPoolExecutor(min(len(runs), self._clients),
                                thread_name_prefix="range-prefetch") as pool:
            spent = sum(pool.map(fetch, runs))
        self._local.bytes = self.thread_bytes() + spent  # counted as this thread's
        return len(runs)

    def _claim(self, url: str, indices: range) -> dict[int, threading.Event]:
        """Mark the blocks of ``indices`` no other thread is fetching as ours (under the lock)."""
        claimed = {}
        for i in indices:
            if (url, i) not in self._pending:
                claimed[i] = self._pending[(url, i)] = threading.Event()
        return claimed

    def _fetch_run(self, url: str, first: int, last: int,
                   claimed: dict[int, threading.Event]) -> bytes:
        """Fetch blocks ``first``..``last``, keep them, and wake whoever waits for the
        blocks we claimed (also when the fetch fails)."""
        bs = self.block_size
        try:
            size = self._sizes.get(url)
            end = (last + 1) * bs if size is None else min((last + 1) * bs, size)
            data, total = self.fetch(url, first * bs, end - 1)
            with self._lock:
                self._sizes[url] = total
                for i in range(first, last + 1):
                    self._keep((url, i), data[(i - first) * bs:(i - first + 1) * bs])
            return data
        finally:
            with self._lock:
                for i, event in claimed.items():
                    del self._pending[(url, i)]
                    event.set()

    def _keep(self, key: tuple[str, int], data: bytes) -> None:
        self._blocks[key] = data
        self._blocks.move_to_end(key)
        while len(self._blocks) > self.cache_blocks:
            self._blocks.popitem(last=False)

    def fetch(self, url: str, start: int, end: int) -> tuple[bytes, int]:
        """Bytes ``start``..``end`` (inclusive) of ``url`` and the file's total size."""
        def ask() -> tuple[bytes, int]:
            headers = {"Range": f"bytes={start}-{end}", "Accept-Encoding": "identity"}
            http = self._free.get()
            try:
                with http.request("GET", url, headers=headers, stream=True) as answer:
                    self._count(requests=1)
                    if answer.status_code != 206:
                        raise PermanentFetchError(
                            f"{url}: the server answered HTTP {answer.status_code} to a Range "
                            "request (it would send the whole file); use a server with Range "
                            "support or download the file")
                    total = _total(url, answer.headers.get("Content-Range", ""))
                    data: bytes = answer.raw.read(end - start + 1, decode_content=False)
            finally:
                self._free.put(http)
            self._count(fetched=len(data))
            want = min(end, total - 1) - start + 1
            if len(data) != want:
                raise TransientFetchError(f"{url}: {len(data)} of {want} bytes at offset "
                                          f"{start} arrived; the answer was cut short")
            return data, total

        try:
            return self.retry.call(ask)
        except FetchError as exc:
            self.last_error = exc
            raise

    def _count(self, *, requests: int = 0, fetched: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.bytes_fetched += fetched
        self._local.bytes = self.thread_bytes() + fetched


def _runs(indices: list[int], gap: int) -> list[tuple[int, int]]:
    """Sorted block indices as (first, last) runs, merging runs at most ``gap`` apart."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and i - runs[-1][1] <= gap + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _total(url: str, content_range: str) -> int:
    found = _CONTENT_RANGE.fullmatch(content_range.strip())
    if found is None or found.group(3) == "*":
        raise PermanentFetchError(f"{url}: Content-Range {content_range!r} does not give the "
                                  "file's size")
    return int(found.group(3))


class RangeFile(io.RawIOBase):
    """A read-only, seekable view of one URL; bytes come from its opener's blocks."""

    def __init__(self, url: str, opener: RangeOpener) -> None:
        super().__init__()
        self.url, self._opener, self._pos = url, opener, 0
        self._size = opener.size(url)

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}.get(whence)
        if base is None or base + offset < 0:
            raise OSError(f"{self.url}: cannot seek to {offset} from {whence}")
        self._pos = base + offset
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        if end <= self._pos:
            return b""
        bs = self._opener.block_size
        first = self._pos // bs
        data = b"".join(self._opener.block(self.url, i) for i in range(first, (end - 1) // bs + 1))
        out = data[self._pos - first * bs:end - first * bs]
        self._pos = end
        return out

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[:len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        return self.read(-1)
