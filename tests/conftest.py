"""The hermetic test environment, and tiny synthetic AMSR2 L1B granules written by swathkit.sim.

Before anything is collected, ``HOME``, the XDG folders and ``SWATHKIT_CACHE``
point into a fresh session folder, and the variables that carry credentials,
trusted certificates or proxies are removed: no import and no subprocess a test
starts sees the real ones. An audit hook refuses writes under the real home
(the interpreter, the checkout and the temp folder excepted) and fails the test
that tried. The land-fraction grid that :mod:`swathkit.geodata` derives on first
use (seconds, ~1 GB) is derived once per session into the session cache, by a
subprocess started while the tests are collected; this process and every
subprocess of a test then load it from there.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

START = "2022-02-16T00:00:00"

_CLEARED_PREFIXES = ("GPORTAL_", "EARTHDATA_", "AWS_", "SWATHKIT_")
_CLEARED_NAMES = {"NETRC", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_WRITTEN_ARGS = {"os.mkdir": (0,), "os.remove": (0,), "os.rmdir": (0,), "os.rename": (0, 1),
                 "os.symlink": (1,), "os.link": (1,), "os.truncate": (0,),
                 "shutil.rmtree": (0,)}  # audit event: positions of the paths it changes
_DERIVE_LAND = "from swathkit.geodata import land_count_grid; land_count_grid()"


def is_private(name: str) -> bool:
    """Whether an environment variable may carry credentials, trust or a route out."""
    return (name.startswith(_CLEARED_PREFIXES) or name in _CLEARED_NAMES
            or name.upper().endswith("_PROXY"))


@dataclass
class Hermetic:
    """The session's stand-in home and the guard on the real one."""

    root: Path  # HOME, caches, config and data of the session
    real: tuple[str, ...]  # the real home and XDG/cache folders: never written
    exempt: tuple[str, ...]  # inside those, still writable: interpreter, checkout, temp
    refused: list[str] = field(default_factory=list)
    land: subprocess.Popen[bytes] | None = None

    def guards(self, path: str) -> bool:
        """Whether writing ``path`` (absolute) would touch the real home."""
        return _under(path, self.real) and not _under(path, self.exempt)

    def audit(self, event: str, args: tuple) -> None:
        """``sys.addaudithook`` hook: refuse (and record) a write under the real home."""
        if event == "open":
            paths = [args[0]] if (args[2] or 0) & _WRITE_FLAGS else []
        else:
            paths = [args[i] for i in _WRITTEN_ARGS.get(event, ())]
        for path in paths:
            if isinstance(path, str | bytes | os.PathLike):
                full = os.path.abspath(os.fsdecode(path))
                if self.guards(full):
                    self.refused.append(f"{event} {full}")
                    raise PermissionError(errno.EACCES, "tests never write under the real "
                                          "home", full)


def _under(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def _enter() -> Hermetic:
    """Point home, caches and config at a new session folder; guard the real ones."""
    real_home = str(Path.home())
    real = (real_home, *(os.environ[v] for v in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME",
                                                 "XDG_DATA_HOME", "SWATHKIT_CACHE")
                         if os.environ.get(v)))
    root = Path(tempfile.mkdtemp(prefix="swathkit-tests-"))
    for name in [n for n in os.environ if is_private(n)]:
        _environ.delenv(name)
    folders = {"HOME": "home", "XDG_CACHE_HOME": "cache", "XDG_CONFIG_HOME": "config",
               "XDG_DATA_HOME": "data", "SWATHKIT_CACHE": "cache"}
    for variable, folder in folders.items():
        (root / folder).mkdir(exist_ok=True)
        _environ.setenv(variable, str(root / folder))
    code = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
            *(p for p in sys.path if p and p != real_home)}
    checkout = str(Path(__file__).resolve().parents[1])
    hermetic = Hermetic(root, real, (str(root), checkout, tempfile.gettempdir(), *sorted(code)))
    sys.addaudithook(hermetic.audit)
    hermetic.land = subprocess.Popen([sys.executable, "-c", _DERIVE_LAND])
    return hermetic


# At import, not in a hook: this conftest is loaded before any other and before the
# test modules, so no swathkit import (and no later subprocess) sees the real environment.
_environ = pytest.MonkeyPatch()
_HERMETIC = _enter()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _HERMETIC.land is not None and _HERMETIC.land.poll() is None:
        _HERMETIC.land.kill()
        _HERMETIC.land.wait()
    _environ.undo()
    shutil.rmtree(_HERMETIC.root, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def hermetic() -> Hermetic:
    """The session's environment, once the land grid is in its cache."""
    if _HERMETIC.land is not None:
        code = _HERMETIC.land.wait()
        assert code == 0, f"deriving the land grid into {_HERMETIC.root} failed ({code})"
    return _HERMETIC


@pytest.fixture(autouse=True)
def _nothing_written_under_the_real_home(hermetic: Hermetic):
    yield
    refused, hermetic.refused[:] = list(hermetic.refused), []
    assert not refused, f"the test tried to write under the real home: {refused}"


@pytest.fixture(scope="session")
def l1b_dir(tmp_path_factory) -> Path:
    """Four consecutive small granules (80 scans each), written once per session."""
    from swathkit.sim.gportal.amsr2_l1b import write_granules

    out = tmp_path_factory.mktemp("l1b")
    write_granules(out, START, 4, scans=80, seed=3)
    return out


@pytest.fixture
def l1b_files(l1b_dir, tmp_path) -> list[Path]:
    """Private copies of the session granules (tests may damage or delete them)."""
    out = []
    for src in sorted(l1b_dir.glob("*.h5")):
        dst = tmp_path / "in" / src.name
        dst.parent.mkdir(exist_ok=True)
        shutil.copy(src, dst)
        out.append(dst)
    return out


# --- a local S3 server (moto's) for the object-storage tests -----------------------------

@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 on 127.0.0.1 (a free port), one bucket, for the whole test module."""
    from swathkit.sim.s3 import LocalS3

    with LocalS3() as server:
        yield server


@pytest.fixture
def s3(s3_server, monkeypatch, request):
    """The module's S3 server, its dummy credentials in the AWS chain's variables for this
    test only, and s3fs's instance cache cleared (so no client of another server lingers)."""
    for name, value in s3_server.environment().items():
        monkeypatch.setenv(name, value)
    close_s3_clients()
    yield s3_server
    close_s3_clients()


def close_s3_clients():
    """Close the HTTP sessions of every cached s3fs instance (zarr's are asynchronous, on
    zarr's loop: s3fs leaves closing them to their owner) and forget the instances."""
    import s3fs
    from zarr.core.sync import sync

    for fs in list(s3fs.S3FileSystem._cache.values()):
        creator = getattr(fs, "_s3creator", None)
        if creator is not None and fs.asynchronous:
            sync(creator.__aexit__(None, None, None))
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture
def s3_url(s3, request):
    """A fresh store address in the bucket, named after the test."""
    return s3.url(f"{request.node.name.replace('[', '_').rstrip(']')}/s.zarr")
