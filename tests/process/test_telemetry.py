"""Framing Seasat telemetry against the truth of synthetic streams (swathkit.sim.seasat)."""

from __future__ import annotations

import numpy as np
import pytest

from swathkit.process.telemetry import TelemetryDecoder, decode
from swathkit.process.telemetry_lines import repair
from swathkit.products.seasat.hdr import column
from swathkit.sim.seasat.score import score
from swathkit.sim.seasat.telemetry import TelemetryOptions, clean_headers, generate_telemetry

CLEAN = TelemetryOptions(ber=0.0, drop_rate=0.0, repeat_rate=0.0, slip_rate=0.0, seed=4)


@pytest.fixture(scope="module", params=[1e-4, 1e-3, 1e-2])
def stream(request: pytest.FixtureRequest) -> tuple[float, bytes, object]:
    options = TelemetryOptions(ber=request.param, takes=2, seed=11, drop_rate=2e-3,
                               repeat_rate=2e-3, slip_rate=2e-3)
    raw, truth = generate_telemetry(clean_headers(120), options)
    return request.param, raw, truth


def test_a_clean_stream_decodes_to_its_truth() -> None:
    raw, truth = generate_telemetry(clean_headers(30), CLEAN)
    lines, counts = decode(raw)
    assert np.array_equal(lines.samples, truth.samples)
    full = lines.rows[:, column("partial")] == 0
    fields = slice(column("station"), column("status") + 1)
    assert np.array_equal(lines.rows[full, fields], truth.headers[full])
    assert counts.sync_bit_errors == 0 and counts.frames_repaired == 0
    assert counts.segments == 1 and counts.fill_runs == 1


# shares of true lines that must come out exactly, per bit-error rate
EXACT = {1e-4: 1.0, 1e-3: 0.99, 1e-2: 0.9}


def test_tolerant_framing_recovers_the_lines(stream) -> None:
    ber, raw, truth = stream
    lines, counts = decode(raw)
    result = score(lines.samples, lines.rows, lines.positions, truth)
    assert result.exact_share >= EXACT[ber]
    assert result.wrongly_accepted <= 2
    assert result.found_share > 0.999
    assert counts.segments == 2  # one per take: the fill run and the 127 sentinel end them


def test_the_strict_search_loses_lines_the_tolerant_one_keeps(stream) -> None:
    ber, raw, truth = stream
    tolerant = score(*_scored(decode(raw)[0]), truth)
    strict = score(*_scored(decode(raw, strict=True)[0]), truth)
    assert strict.exact <= tolerant.exact
    if ber >= 1e-3:
        assert strict.exact_share < tolerant.exact_share - 0.3


def _scored(lines):  # type: ignore[no-untyped-def]
    return lines.samples, lines.rows, lines.positions


def test_chunking_does_not_change_the_result() -> None:
    raw, _ = generate_telemetry(clean_headers(40), TelemetryOptions(ber=1e-3, takes=2, seed=8))
    whole, counts = decode(raw)
    decoder = TelemetryDecoder()
    parts = [decoder.feed(raw[i:i + 997]) for i in range(0, len(raw), 997)]
    parts.append(decoder.feed(b"", final=True))
    assert np.array_equal(np.concatenate([p.rows for p in parts]), whole.rows)
    assert np.array_equal(np.concatenate([p.samples for p in parts]), whole.samples)
    assert decoder.counts() == counts


def test_random_bytes_hold_no_frames() -> None:
    noise = np.random.default_rng(0).integers(0, 256, 200_000, dtype=np.uint8)
    lines, counts = decode(noise.tobytes())
    assert lines.rows.shape[0] == 0 and counts.syncs == 0 and counts.acquisitions == 0


def test_an_empty_stream_decodes_to_nothing() -> None:
    lines, counts = decode(b"")
    assert lines.samples.shape == (0, 13_680) and counts.bits == 0


def test_a_cut_last_frame_is_reported_and_the_lines_before_it_kept() -> None:
    raw, truth = generate_telemetry(clean_headers(10), CLEAN)
    cut = int(truth.frame_bit[300]) // 8 + 60  # inside frame 300, before its end
    lines, counts = decode(raw[:cut])
    assert counts.truncated_bits > 0
    assert lines.rows.shape[0] == 6 and lines.rows[-1, column("partial")] == 1


def test_feeding_after_the_final_chunk_is_refused() -> None:
    decoder = TelemetryDecoder()
    decoder.feed(b"", final=True)
    with pytest.raises(ValueError, match="final chunk"):
        decoder.feed(b"\0")


@pytest.mark.parametrize(("raw", "history", "nxt", "expected"), [
    (17, (16, 15, 14), 18, 17),   # in sequence
    (81, (16, 15, 14), 18, 17),   # next − last = 2
    (81, (16, 15, 14), 50, 17),   # last two in sequence, last < 58
    (20, (16, 15, 14), 21, 20),   # the next frame agrees: frames were dropped
    (99, (59, 58, 57), 1, 0),     # next is 1 after 59: this starts a line
    (99, (58, 57, 56), 7, 0),     # 58 after a 60-frame line: never two in a row
    (99, (0, 59, 58), 7, 1),      # after a line start
    (99, (30, 12, 40), 7, 99),    # nothing fits: left alone
])
def test_frame_numbers_are_repaired_from_context(raw, history, nxt, expected) -> None:
    h1, h2, h3 = history
    prev_len = 60 if history == (58, 57, 56) else 59
    assert repair(raw, h1, h2, h3, prev_len, nxt) == expected


def test_a_fill_frame_whose_flag_took_a_bit_error_makes_no_line() -> None:
    raw, truth = generate_telemetry(clean_headers(20), TelemetryOptions(
        ber=0.0, drop_rate=0.0, repeat_rate=0.0, slip_rate=0.0, takes=2, seed=4))
    last_fill = int(np.argmax(np.diff(truth.frame_bit)))  # take 0's last frame: then noise
    bit = int(truth.frame_bit[last_fill]) + 24  # its fill flag
    damaged = bytearray(raw)
    damaged[bit // 8] ^= 0x80 >> (bit % 8)
    lines, counts = decode(bytes(damaged))
    assert counts.segments == 2 and lines.rows.shape[0] == truth.lines
