"""SFTP sessions (paramiko) for the transfer engine: size, read from an offset, close.

Host keys: known hosts are checked (system and ``~/.ssh/known_hosts``); a host
never seen before is accepted and remembered in swathkit's own known-hosts
file (like OpenSSH's ``accept-new``); a changed key is refused. Loopback hosts
(the simulated archive, new keys each start) are accepted without remembering.

Far servers: a file costs ``stat`` + ``open`` + ``close`` (three round trips; the
size ``stat`` found is reused by the read-ahead, which would otherwise ask again)
and its bytes flow as pipelined reads. The SFTP channel's receive window is
sized to the path (:func:`window_for`, from one timed round trip at login): the
server may only have a window of bytes in flight, so OpenSSH's fixed 2 MiB caps
a session near 5–8 MB/s across 200 ms; but paramiko drops what its reader takes
from the front of its receive buffer (a copy of everything buffered, per read),
so a window far larger than the path needs costs CPU whenever the reader lags,
as it does on loopback.
"""

from __future__ import annotations

import errno
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paramiko

from swathkit.archives.credentials import Credentials
from swathkit.errors import AuthError, NotPublishedError, ThrottledError, TransientFetchError

log = logging.getLogger(__name__)

BLOCK = 32768  # paramiko's read request; asking its file for more joins bytes quadratically
WINDOW_MIN, WINDOW_MAX = 1 << 20, 16 << 20
TARGET_RATE = 40e6  # bytes/s one session should be able to reach, however far the server
_SIZES_KEPT = 64  # sizes remembered per session, for the read-ahead
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_THROTTLE_WORDS = ("too many", "session limit", "max sessions", "maxsessions")


def known_hosts_file() -> Path:
    return Path.home() / ".config" / "swathkit" / "known_hosts"


class _AcceptNew(paramiko.MissingHostKeyPolicy):
    def missing_host_key(self, client: paramiko.SSHClient, hostname: str,
                         key: paramiko.PKey) -> None:
        if hostname.split(":")[0].strip("[]") in LOOPBACK:
            return
        path = known_hosts_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        client.get_host_keys().add(hostname, key.get_name(), key)
        client.save_host_keys(str(path))
        log.warning("new SFTP host key for %s (%s) remembered in %s", hostname,
                    key.get_name(), path)


def window_for(rtt: float) -> int:
    """Receive window for a round trip of ``rtt`` s: ``TARGET_RATE`` × 2 ``rtt`` (queues
    on the way delay the window's return too), within ``WINDOW_MIN``..``WINDOW_MAX``."""
    return int(min(WINDOW_MAX, max(WINDOW_MIN, 2 * rtt * TARGET_RATE)))


def _round_trip(transport: paramiko.Transport) -> float:
    """Seconds of one SSH round trip (a keep-alive request; servers answer, even if no)."""
    t0 = time.monotonic()
    transport.global_request("keepalive@openssh.com", wait=True)
    return time.monotonic() - t0


def _transient(exc: BaseException, where: str) -> TransientFetchError:
    text = str(exc) or type(exc).__name__
    shortage = (isinstance(exc, paramiko.ChannelException)
                and exc.code == paramiko.common.OPEN_FAILED_RESOURCE_SHORTAGE)
    if shortage or any(word in text.lower() for word in _THROTTLE_WORDS):
        return ThrottledError(f"{where}: server refused another session ({text})",
                              retry_after=5.0)
    return TransientFetchError(f"{where}: {text}")


class SftpSession:
    """One SSH connection with one SFTP channel."""

    def __init__(self, client: paramiko.SSHClient, sftp: paramiko.SFTPClient, host: str) -> None:
        self._client, self._sftp, self._host = client, sftp, host
        self._sizes: dict[str, int] = {}  # of the last files stat'ed, for read()'s read-ahead

    def size(self, remote: str) -> int:
        try:
            size = int(self._sftp.stat(remote).st_size or 0)
            if len(self._sizes) >= _SIZES_KEPT:
                self._sizes.clear()
            self._sizes[remote] = size
            return size
        except FileNotFoundError as exc:
            raise NotPublishedError(f"{self._host}:{remote} does not exist") from exc
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise _transient(exc, f"{self._host}:{remote}") from exc

    def read(self, remote: str, offset: int = 0) -> Iterator[bytes]:
        try:
            with self._sftp.open(remote, "rb") as f:
                f.seek(offset)
                # pipelined requests from the offset, sized by our stat (else it stats again)
                f.prefetch(self._sizes.pop(remote, None))
                while block := f.read(BLOCK):
                    yield block
        except OSError as exc:
            if getattr(exc, "errno", None) == errno.ENOENT:
                raise NotPublishedError(f"{self._host}:{remote} does not exist") from exc
            raise _transient(exc, f"{self._host}:{remote}") from exc
        except (EOFError, paramiko.SSHException) as exc:
            raise _transient(exc, f"{self._host}:{remote}") from exc

    def close(self) -> None:
        try:
            self._sftp.close()
        finally:
            self._client.close()


@dataclass(frozen=True)
class SftpFactory:
    """Opens password-authenticated SFTP sessions to one server."""

    hostname: str
    port: int
    credentials: Credentials
    timeout: float = 30.0

    @property
    def host(self) -> str:
        return f"{self.hostname}:{self.port}"

    def open(self) -> SftpSession:
        client = paramiko.SSHClient()
        client.load_system_host_keys()
        if known_hosts_file().exists():
            client.load_host_keys(str(known_hosts_file()))
        client.set_missing_host_key_policy(_AcceptNew())
        try:
            client.connect(self.hostname, self.port, username=self.credentials.username,
                           password=self.credentials.password, timeout=self.timeout,
                           banner_timeout=self.timeout, auth_timeout=self.timeout,
                           look_for_keys=False, allow_agent=False)
            transport = client.get_transport()
            sftp = None if transport is None else paramiko.SFTPClient.from_transport(
                transport, window_size=window_for(_round_trip(transport)))
            if sftp is None:
                raise paramiko.SSHException("the server closed the connection before SFTP began")
            return SftpSession(client, sftp, self.host)
        except paramiko.AuthenticationException as exc:
            client.close()
            raise AuthError(
                f"{self.host} refused the password of user {self.credentials.username!r} "
                f"(credentials from {self.credentials.source}); check them and run again") from exc
        except paramiko.BadHostKeyException as exc:
            client.close()
            raise AuthError(f"{self.host} presented a different host key than remembered: "
                            f"{exc}; if the server really changed, remove its line from "
                            "your known_hosts") from exc
        except (TimeoutError, OSError, EOFError, paramiko.SSHException) as exc:
            client.close()
            raise _transient(exc, self.host) from exc
