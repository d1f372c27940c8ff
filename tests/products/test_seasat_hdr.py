"""The .hdr table of a decoded Seasat segment: round trip and one clear error per problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from swathkit.errors import InputError
from swathkit.products.seasat.hdr import HDR_COLUMNS, column, read_hdr, write_hdr


def _table(lines: int = 5) -> np.ndarray:
    rng = np.random.default_rng(1)
    return rng.integers(0, 2**27, size=(lines, len(HDR_COLUMNS)), dtype=np.int64)


def test_round_trip_keeps_every_integer(tmp_path: Path) -> None:
    table = _table()
    path = write_hdr(tmp_path / "take.hdr", table)
    assert np.array_equal(read_hdr(path), table)
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temp file, renamed


def test_write_refuses_a_table_without_20_columns(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="20 columns"):
        write_hdr(tmp_path / "x.hdr", np.zeros((3, 19), np.int64))


def test_missing_columns_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "short.hdr"
    path.write_text("0 " * 20 + "\n" + "1 " * 18 + "\n")
    with pytest.raises(InputError, match=r"short.hdr: line 2 has 18 columns"):
        read_hdr(path)


def test_empty_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.hdr"
    path.write_text("\n\n")
    with pytest.raises(InputError, match=r"empty \.hdr file"):
        read_hdr(path)


def test_values_that_are_not_integers(tmp_path: Path) -> None:
    path = tmp_path / "float.hdr"
    path.write_text(" ".join(["1.5"] * 20) + "\n")
    with pytest.raises(InputError, match="line 1 holds a value that is not an integer"):
        read_hdr(path)


def test_no_such_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_hdr(tmp_path / "absent.hdr")


def test_column_names_what_exists() -> None:
    assert HDR_COLUMNS[column("msec")] == "msec"
    with pytest.raises(InputError, match="the columns are line"):
        column("nope")
