"""The simulated G-Portal file server: read-only SFTP with password login (paramiko).

Files live under the real layout
``standard/GCOM-W/GCOM-W.AMSR2/L1B/2/YYYY/MM/<name>.h5`` (a leading ``/`` is
accepted). A file is the synthetic writer's (:func:`~swathkit.sim.gportal.amsr2_l1b.write_granule`),
generated on first request into a cache directory, once even when several
sessions ask together. Clients can ``stat`` (size), ``open`` and read at any
offset (resume) and list directories; listings carry names and types only,
``stat`` gives a file's size.

A :class:`~swathkit.sim.faults.FaultPlan` adds: connections dropped mid-file,
streams that end early, files served with flipped bytes, and a cap on parallel
sessions per user. A session is one SSH connection; when the user already holds
``max_sessions`` of them, the connection's channel is refused with the SSH
reason "resource shortage" (paramiko raises ``ChannelException`` with code 4).
"""

from __future__ import annotations

import hmac
import logging
import os
import posixpath
import socket
import stat
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import paramiko
from paramiko.common import (
    AUTH_FAILED,
    AUTH_SUCCESSFUL,
    OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED,
    OPEN_FAILED_RESOURCE_SHORTAGE,
    OPEN_SUCCEEDED,
)
from paramiko.sftp import SFTP_CONNECTION_LOST, SFTP_NO_SUCH_FILE, SFTP_PERMISSION_DENIED

from swathkit.errors import FileNameError
from swathkit.products.amsr2.names import parse_name
from swathkit.sim.faults import (
    AttemptCounter,
    FaultPlan,
    StreamFault,
    Tally,
    flip_bytes,
)
from swathkit.sim.gportal.amsr2_l1b import (
    GranuleSlot,
    granule_slot,
    granules_between,
    write_granule,
)
from swathkit.sim.gportal.catalog import remote_path
from swathkit.sim.orbit import EPOCH

log = logging.getLogger(__name__)

ROOT = ("standard", "GCOM-W", "GCOM-W.AMSR2", "L1B", "2")
_FIRST_MONTH = EPOCH.astype("datetime64[M]")
_ACCEPT_TIMEOUT = 0.1  # seconds between checks for shutdown


class GranuleFiles:
    """The archive's directory tree and its files, generated on demand and cached.

    Args:
        directory: Cache root; files go to ``directory/seed<S>-scans<N>/``.
        scans: Scans per file (1–1978); all by default.
        seed: Noise seed of the synthetic writer.
    """

    def __init__(self, directory: Path, *, scans: int | None, seed: int) -> None:
        self.directory = directory / f"seed{seed}-scans{scans or 'full'}"
        self._scans, self._seed = scans, seed
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.generated = 0

    def resolve(self, path: str) -> GranuleSlot | None:
        """The granule a remote file path names, or ``None`` if it names none."""
        parts = split_path(path)
        if len(parts) != len(ROOT) + 3 or tuple(parts[:len(ROOT)]) != ROOT:
            return None
        try:
            name = parse_name(parts[-1])
        except FileNameError:
            return None
        slot = granule_slot(name.start + timedelta(minutes=1))  # the name floors the start
        return slot if remote_path(slot.name) == "/".join(parts) else None

    def local(self, slot: GranuleSlot) -> Path:
        """The cached file of ``slot``, generated first if needed (once across threads)."""
        target = self.directory / slot.name.file_name
        with self._lock:
            lock = self._locks.setdefault(slot.name.file_name, threading.Lock())
        with lock:
            if not target.exists():
                write_granule(self.directory, slot.start, scans=self._scans, seed=self._seed)
                with self._lock:
                    self.generated += 1
                log.debug("generated %s", target.name)
        return target

    def listdir(self, path: str) -> list[tuple[str, bool]] | None:
        """``(name, is_directory)`` entries of a remote directory, or ``None`` if it is none."""
        parts = tuple(split_path(path))
        depth = len(parts)
        if depth < len(ROOT) and parts == ROOT[:depth]:
            return [(ROOT[depth], True)]
        if parts[:len(ROOT)] != ROOT:
            return None
        extra = parts[len(ROOT):]
        if not extra:
            years = range(_FIRST_MONTH.astype(object).year, datetime.now(UTC).year + 1)
            return [(f"{y}", True) for y in years]
        month = _month(extra)
        if month is None:
            return None
        if len(extra) == 1:
            return [(f"{m:02d}", True) for m in range(1, 13)
                    if np.datetime64(f"{extra[0]}-{m:02d}") >= _FIRST_MONTH]
        return [(s.name.file_name, False) for s in _granules_of_month(month)]


def split_path(path: str) -> list[str]:
    """Normalise a remote path (leading ``/`` optional, ``.``/``..`` resolved) into parts."""
    return [p for p in posixpath.normpath("/" + path).split("/") if p]


def _month(extra: tuple[str, ...]) -> np.datetime64 | None:
    """The month named by ``YYYY`` or ``YYYY/MM`` under the root, if it is a real one."""
    if len(extra) > 2 or not all(p.isdigit() for p in extra):
        return None
    if len(extra[0]) != 4 or (len(extra) == 2 and len(extra[1]) != 2):
        return None
    try:
        month = np.datetime64("-".join((*extra, "01")[:2]), "M")
    except ValueError:
        return None
    return month if month >= _FIRST_MONTH else None


@lru_cache(maxsize=16)
def _granules_of_month(month: np.datetime64) -> tuple[GranuleSlot, ...]:
    """Granules whose name (start minute) falls in ``month``: its directory's files."""
    start, end = month.astype("datetime64[ns]"), (month + 1).astype("datetime64[ns]")
    label = str(month)  # "YYYY-MM"
    return tuple(s for s in granules_between(start, end) if f"{s.name.start:%Y-%m}" == label)


class SessionLimiter:
    """Parallel sessions per user, with an optional cap, and their statistics."""

    def __init__(self, cap: int | None) -> None:
        self.cap = cap
        self._active: Counter[str] = Counter()
        self._lock = threading.Condition()
        self.opened = 0
        self.max_concurrent = 0

    def acquire(self, user: str) -> bool:
        """Take a session slot for ``user``; False if the user is at the cap."""
        with self._lock:
            if self.cap is not None and self._active[user] >= self.cap:
                return False
            self._active[user] += 1
            self.opened += 1
            self.max_concurrent = max(self.max_concurrent, sum(self._active.values()))
            return True

    def release(self, user: str) -> None:
        with self._lock:
            self._active[user] -= 1
            self._lock.notify_all()

    def wait_idle(self, user: str, timeout: float) -> bool:
        """Wait until ``user`` holds no session (a closed client's slot is freed by the
        server's thread, after the client has gone); False if ``timeout`` passed first."""
        with self._lock:
            return self._lock.wait_for(lambda: self._active[user] == 0, timeout)


class _Shared:
    """What every connection of one server shares."""

    def __init__(self, files: GranuleFiles, plan: FaultPlan, username: str, password: str) -> None:
        self.files, self.plan = files, plan
        self.username, self._password = username, password
        self.sessions = SessionLimiter(plan.max_sessions)
        self.attempts = AttemptCounter()
        self.faults = Tally()
        self._sent = 0
        self._lock = threading.Lock()

    def password_ok(self, username: str, password: str) -> bool:
        same_user = hmac.compare_digest(username.encode(), self.username.encode())
        return hmac.compare_digest(password.encode(), self._password.encode()) and same_user

    def count_sent(self, n: int) -> None:
        with self._lock:
            self._sent += n

    @property
    def bytes_sent(self) -> int:
        with self._lock:
            return self._sent


class _SshServer(paramiko.ServerInterface):
    """One connection's SSH policy: password login, one session slot when a channel opens."""

    def __init__(self, shared: _Shared, transport: paramiko.Transport) -> None:
        self.shared, self.transport = shared, transport
        self.user: str | None = None
        self._holds_slot = False

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        if self.shared.password_ok(username, password):
            self.user = username
            return AUTH_SUCCESSFUL
        log.info("SFTP login refused for user %r: wrong username or password", username)
        return AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind != "session" or self.user is None:
            return OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        if not self._holds_slot:
            if not self.shared.sessions.acquire(self.user):
                self.shared.faults.add("session_refused")
                log.info("SFTP session refused: user %r already has %s sessions (the limit)",
                         self.user, self.shared.sessions.cap)
                return OPEN_FAILED_RESOURCE_SHORTAGE
            self._holds_slot = True
        return OPEN_SUCCEEDED

    def release(self) -> None:
        """Give the session slot back (the connection ended)."""
        if self._holds_slot and self.user is not None:
            self.shared.sessions.release(self.user)
            self._holds_slot = False


class _SftpInterface(paramiko.SFTPServerInterface):
    """Read-only SFTP over :class:`GranuleFiles`, with the plan's faults."""

    def __init__(self, server: _SshServer, shared: _Shared) -> None:
        super().__init__(server)
        self._server, self._shared = server, shared

    def canonicalize(self, path: str) -> str:
        return "/" + "/".join(split_path(path))

    def stat(self, path: str) -> paramiko.SFTPAttributes | int:
        entries = self._shared.files.listdir(path)
        if entries is not None:
            return _attributes((split_path(path) or ["/"])[-1], directory=True)
        slot = self._shared.files.resolve(path)
        if slot is None:
            return SFTP_NO_SUCH_FILE
        local = self._shared.files.local(slot)
        return _attributes(slot.name.file_name, size=local.stat().st_size)

    lstat = stat

    def list_folder(self, path: str) -> list[paramiko.SFTPAttributes] | int:
        entries = self._shared.files.listdir(path)
        if entries is None:
            return SFTP_NO_SUCH_FILE
        return [_attributes(name, directory=is_dir) for name, is_dir in entries]

    def open(self, path: str, flags: int,
             attr: paramiko.SFTPAttributes) -> paramiko.SFTPHandle | int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
            return SFTP_PERMISSION_DENIED
        slot = self._shared.files.resolve(path)
        if slot is None:
            return SFTP_NO_SUCH_FILE
        local = self._shared.files.local(slot)
        return self._handle(remote_path(slot.name), local)

    def _handle(self, key: str, local: Path) -> _GranuleHandle:
        plan, size = self._shared.plan, local.stat().st_size
        attempt = self._shared.attempts.next(key)
        flips = frozenset[int]()
        if plan.is_corrupt(key, attempt):
            flips = plan.corrupt_offsets(key, size)
            self._shared.faults.add("corrupt")
            log.info("serving %s corrupt (open %d)", key, attempt + 1)
        fault = plan.stream_fault(key, attempt, size)
        return _GranuleHandle(local, fault=fault, flips=flips, shared=self._shared,
                              transport=self._server.transport)

    # the archive is read-only, as G-Portal is
    def remove(self, path: str) -> int:
        return SFTP_PERMISSION_DENIED

    def rename(self, oldpath: str, newpath: str) -> int:
        return SFTP_PERMISSION_DENIED

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return SFTP_PERMISSION_DENIED

    def mkdir(self, path: str, attr: paramiko.SFTPAttributes) -> int:
        return SFTP_PERMISSION_DENIED

    def rmdir(self, path: str) -> int:
        return SFTP_PERMISSION_DENIED

    def chattr(self, path: str, attr: paramiko.SFTPAttributes) -> int:
        return SFTP_PERMISSION_DENIED

    def symlink(self, target_path: str, path: str) -> int:
        return SFTP_PERMISSION_DENIED


class _GranuleHandle(paramiko.SFTPHandle):
    """An open granule: reads at any offset, cut, truncated or flipped as planned."""

    def __init__(self, local: Path, *, fault: StreamFault | None, flips: frozenset[int],
                 shared: _Shared, transport: paramiko.Transport) -> None:
        super().__init__()
        self.filename = str(local)
        self._file: BinaryIO = local.open("rb")
        self._fault, self._flips = fault, flips
        self._shared, self._transport = shared, transport
        self._told_truncated = self._dropped = False

    def read(self, offset: int, length: int) -> bytes | int:
        end = offset + length
        if self._fault is not None and end > self._fault.cut:
            if self._fault.kind == "drop":
                return self._drop()
            end = self._truncate(end)
        self._file.seek(offset)
        data = self._file.read(max(0, end - offset))
        if self._flips:
            data = flip_bytes(data, offset, self._flips)
        self._shared.count_sent(len(data))
        return data

    def stat(self) -> paramiko.SFTPAttributes:
        return _attributes(Path(self.filename).name, size=os.fstat(self._file.fileno()).st_size)

    def close(self) -> None:
        self._file.close()
        super().close()

    def _drop(self) -> int:
        if not self._dropped:  # pipelined reads already queued each meet the cut: one drop
            self._dropped = True
            self._shared.faults.add("drop")
            log.info("dropping the connection mid-file (%s)", Path(self.filename).name)
            self._transport.close()
        return SFTP_CONNECTION_LOST

    def _truncate(self, end: int) -> int:
        if not self._told_truncated:
            self._told_truncated = True
            self._shared.faults.add("truncate")
        return min(end, self._fault.cut if self._fault else end)


def _attributes(name: str, *, size: int | None = None,
                directory: bool = False) -> paramiko.SFTPAttributes:
    attrs = paramiko.SFTPAttributes()
    attrs.filename = name
    attrs.st_mode = (stat.S_IFDIR | 0o555) if directory else (stat.S_IFREG | 0o444)
    if size is not None:
        attrs.st_size = size
    return attrs


class SftpServer:
    """The SFTP server on a loopback port, serving :class:`GranuleFiles`, one thread a connection.

    Args:
        files: The archive's files.
        plan: Faults to inject.
        username: The one account's user name.
        password: Its password (never logged).
        host: Address to listen on.
        port: Port; 0 picks a free one.
    """

    def __init__(self, files: GranuleFiles, plan: FaultPlan, *, username: str, password: str,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self._shared = _Shared(files, plan, username, password)
        self._host_key = paramiko.ECDSAKey.generate()
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(_ACCEPT_TIMEOUT)
        self._stopping = threading.Event()
        self._transports: set[paramiko.Transport] = set()
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept_loop, name="sim-sftp-accept",
                                          daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._listener.getsockname()[:2]
        return str(host), int(port)

    @property
    def sessions(self) -> SessionLimiter:
        return self._shared.sessions

    @property
    def faults(self) -> Tally:
        return self._shared.faults

    @property
    def bytes_sent(self) -> int:
        return self._shared.bytes_sent

    def start(self) -> None:
        self._acceptor.start()
        log.info("simulated G-Portal SFTP on %s:%d", *self.address)

    def close(self) -> None:
        """Stop accepting, close every connection, wait for the accept thread."""
        self._stopping.set()
        if self._acceptor.is_alive():
            self._acceptor.join()
        self._listener.close()
        with self._lock:
            transports = list(self._transports)
        for transport in transports:
            transport.close()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, peer = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            threading.Thread(target=self._serve, args=(sock,), name=f"sim-sftp-{peer[1]}",
                             daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms stalls per reply
        transport = paramiko.Transport(sock)
        transport.add_server_key(self._host_key)
        transport.set_subsystem_handler("sftp", paramiko.SFTPServer, _SftpInterface, self._shared)
        server = _SshServer(self._shared, transport)
        with self._lock:
            self._transports.add(transport)
        try:
            transport.start_server(server=server)
            while transport.is_active() and not self._stopping.is_set():
                transport.join(_ACCEPT_TIMEOUT)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            log.debug("SFTP connection ended during negotiation: %s", exc)
        finally:
            server.release()
            transport.close()
            with self._lock:
                self._transports.discard(transport)
