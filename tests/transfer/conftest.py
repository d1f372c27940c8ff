"""Fixtures for the transfer tests: a fake archive (see fake_archive.py), fast engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_archive import HOST, FakeArchive, FakeFactory, FakeSleep, payload, tasks_for

from swathkit.transfer.engine import FetchTask, TransferEngine
from swathkit.transfer.limits import CircuitBreaker
from swathkit.transfer.retry import RetryPolicy


@pytest.fixture
def archive() -> FakeArchive:
    """Twelve files of 1000 to 1330 bytes in blocks of 64."""
    files = {f"standard/GCOM-W/{i:03d}.h5": payload(f"f{i}", 1000 + 30 * i) for i in range(12)}
    return FakeArchive(files)


@pytest.fixture
def factory(archive: FakeArchive) -> FakeFactory:
    return FakeFactory(archive)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def tasks(archive: FakeArchive, out: Path) -> list[FetchTask]:
    return tasks_for(archive, out)


@pytest.fixture
def sleeps() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def make_engine(factory: FakeFactory, sleeps: FakeSleep):
    """Engines with fast fake sleeps and a quick breaker, closed after the test."""
    engines: list[TransferEngine] = []

    def make(fact=None, **options) -> TransferEngine:
        options.setdefault("workers", 4)
        options.setdefault("sleep", sleeps)
        options.setdefault("retry", RetryPolicy(base_delay=0.01, max_delay=0.05, seed=1))
        options.setdefault("breaker", CircuitBreaker(threshold=50, cooldown=0.01,
                                                     sleep=options["sleep"], host=HOST))
        engine = TransferEngine(fact or factory, **options)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()
