"""The synthetic Seasat raw stream: layout, damage, determinism and its truth file."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from swathkit.errors import InputError
from swathkit.products.seasat.layout import FRAME_BITS, HEADER_FIELDS, SYNC_CODE
from swathkit.sim.seasat.telemetry import (
    TelemetryOptions,
    clean_headers,
    generate_telemetry,
    header_bytes,
    write_telemetry,
)
from swathkit.sim.seasat.truth import load_truth, truth_path

CLEAN = TelemetryOptions(ber=0.0, drop_rate=0.0, repeat_rate=0.0, slip_rate=0.0, seed=3)


def _bits_at(raw: bytes, bit: int, n: int) -> int:
    bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8))
    return int("".join(map(str, bits[bit:bit + n])), 2)


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    headers = clean_headers(40)
    a, _ = generate_telemetry(headers, TelemetryOptions(seed=5, takes=2))
    b, _ = generate_telemetry(headers, TelemetryOptions(seed=5, takes=2))
    c, _ = generate_telemetry(headers, TelemetryOptions(seed=6, takes=2))
    assert a == b
    assert a != c


def test_clean_frames_carry_sync_number_and_alternate_alignment() -> None:
    raw, truth = generate_telemetry(clean_headers(5), CLEAN)
    first = truth.frame_bit[:6]
    assert all(_bits_at(raw, int(p), 24) == SYNC_CODE for p in first)
    assert np.all(np.diff(truth.frame_bit[:-1]) == FRAME_BITS)
    assert len(set((first % 8).tolist())) == 2  # byte-aligned and nibble-offset in turn
    start = _bits_at(raw, int(first[0]) + 25, 7)
    assert [_bits_at(raw, int(p) + 25, 7) for p in first] == list(range(start, start + 6))


def test_lines_have_59_or_60_frames_never_two_60s_in_a_row() -> None:
    _, truth = generate_telemetry(clean_headers(120), CLEAN)
    assert set(truth.frames.tolist()) == {59, 60}
    assert not np.any((truth.frames[1:] == 60) & (truth.frames[:-1] == 60))


def test_damage_is_recorded_in_the_truth() -> None:
    options = TelemetryOptions(ber=1e-3, drop_rate=5e-3, repeat_rate=5e-3, slip_rate=5e-3,
                               takes=3, seed=1)
    _, truth = generate_telemetry(clean_headers(90), options)
    assert truth.missing.sum() > 0 and truth.repeated.sum() > 0 and truth.slips > 0
    assert abs(truth.bit_errors / truth.bits - 1e-3) < 2e-4
    assert truth.take_end.tolist() == [0, 1, 0]  # fill run, 127 sentinel, fill run
    assert sorted(set(truth.take.tolist())) == [0, 1, 2]


def test_header_bytes_pack_the_fields_most_significant_first() -> None:
    headers = clean_headers(2, start_msec=0x5A5A5A5)
    packed = header_bytes(headers)
    bits = np.unpackbits(packed[0])
    widths = [w for _, w in HEADER_FIELDS]
    msec_at = sum(widths[:3])
    assert int("".join(map(str, bits[msec_at:msec_at + 27])), 2) == 0x5A5A5A5
    assert int("".join(map(str, bits[:4])), 2) == 5  # station: Fairbanks


def test_a_header_value_wider_than_its_field_is_refused() -> None:
    headers = clean_headers(3)
    headers[1, 0] = 16  # station has 4 bits
    with pytest.raises(ValueError, match="station"):
        generate_telemetry(headers, CLEAN)


def test_written_truth_loads_without_pickle(tmp_path) -> None:
    raw = tmp_path / "take.raw"
    truth = write_telemetry(raw, clean_headers(20), replace(CLEAN, takes=2))
    back = load_truth(truth_path(raw))
    assert raw.stat().st_size == (truth.bits + 7) // 8
    assert np.array_equal(back.samples, truth.samples)
    assert np.array_equal(back.frame_bit, truth.frame_bit)
    assert back.seed == 3 and back.ber == 0.0
    assert not list(tmp_path.glob(".*tmp"))


def test_a_file_that_is_not_a_truth_is_an_input_error(tmp_path) -> None:
    bad = tmp_path / "x.truth.npz"
    bad.write_bytes(b"not an npz")
    with pytest.raises(InputError, match="not a swathkit telemetry truth"):
        load_truth(bad)
