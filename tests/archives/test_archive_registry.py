"""The registry of archives by name: lazy factories, clear errors, simulators that stop."""

import subprocess
import sys
from datetime import date

import pytest

from swathkit.archives.base import Archive
from swathkit.archives.gportal import SFTP_HOST
from swathkit.archives.registry import ARCHIVES, ArchiveEntry, archive_factory, open_archive
from swathkit.errors import FetchError, InputError, NotPublishedError
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import Query

DAY = Query("amsr2-l1b", "2022-02-16T00:00", "2022-02-17T00:00")
ONCE = RetryPolicy(max_attempts=1)


def test_the_real_and_the_simulated_archives_are_registered():
    assert {"gportal", "bremen", "gportal-sim", "bremen-sim"} <= set(ARCHIVES)


def test_listing_the_archives_imports_none_of_them():
    code = ("import sys, swathkit.archives.registry; "
            "print(sorted(m for m in sys.modules if m.startswith('swathkit.sim') "
            "or m in ('swathkit.archives.gportal', 'swathkit.archives.bremen', 'paramiko')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_an_unknown_name_is_an_input_error_listing_the_names():
    with pytest.raises(InputError, match="unknown archive 'gportl'; choose one of gportal, "):
        archive_factory("gportl")


def test_a_missing_package_says_which_extra_to_install(tmp_path, monkeypatch):
    (tmp_path / "needs_absent.py").write_text(
        "import swathkit_absent_package\n\ndef factory():\n    return None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(ARCHIVES, "absent", ArchiveEntry("needs_absent:factory", "test",
                                                         extra="plot"))
    with pytest.raises(InputError, match=r"needs the package 'swathkit_absent_package'.*"
                                         r"pip install 'swathkit\[plot\]'"):
        archive_factory("absent")


def test_an_option_the_archive_does_not_take_is_an_input_error_naming_its_options():
    with pytest.raises(InputError, match="takes no option faults; its options: base_url, grid"), \
            open_archive("bremen", faults="flaky"):
        pass


def test_a_real_archive_is_built_without_touching_the_network():
    with open_archive("gportal", username="someone", password="secret") as archive:
        assert isinstance(archive, Archive) and archive.sessions.host.startswith(SFTP_HOST)
    with open_archive("bremen", grid="n3125") as archive:
        days = Query("asi-amsr2", "2024-04-01", "2024-04-04")
        assert archive.catalog.matched(days) == 3


def test_a_registered_factory_object_is_used_as_is(monkeypatch):
    made = []

    def factory(**options):
        made.append(options)
        return Archive(catalog=None, sessions=None, name="mine")  # type: ignore[arg-type]

    monkeypatch.setitem(ARCHIVES, "mine", ArchiveEntry(factory, "test"))
    with open_archive("mine", colour="blue") as archive:
        assert archive.name == "mine" and made == [{"colour": "blue"}]


def test_the_simulated_gportal_runs_while_open_and_stops_after():
    with open_archive("gportal-sim", scans=20, retry=ONCE) as archive:
        assert archive.name == "simulated G-Portal (none faults)"
        assert archive.catalog.matched(DAY) >= 28
    with pytest.raises(FetchError):
        archive.catalog.matched(DAY)


def test_the_simulated_bremen_serves_the_granules_of_its_catalogue(tmp_path):
    query = Query("asi-amsr2", "2013-05-10", "2013-05-12")
    with open_archive("bremen-sim", grid="n6250", cache_dir=tmp_path, retry=ONCE) as archive:
        published, missing = archive.catalog.search(query)
        session = archive.sessions.open()
        try:
            assert session.size(published.remote_path) > 100_000
            with pytest.raises(NotPublishedError):
                session.size(missing.remote_path)
        finally:
            session.close()
    assert missing.properties["day"] == date(2013, 5, 11).isoformat()
