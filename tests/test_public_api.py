"""The public API: what ``swathkit`` and ``swathkit.transfer`` export resolves and is listed."""

import swathkit
import swathkit.transfer


def test_every_listed_name_resolves():
    for name in swathkit.__all__:
        assert getattr(swathkit, name) is not None
    for name in swathkit.transfer.__all__:
        assert getattr(swathkit.transfer, name) is not None


def test_the_listed_names_are_the_expected_ones():
    assert set(swathkit.__all__) == {"__version__", "GridCube", "SwathStore", "export",
                                     "ingest", "inspect", "open_asi", "open_cube", "open_l1b",
                                     "open_swaths", "verify"}
