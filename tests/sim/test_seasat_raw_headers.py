"""The raw-telemetry generator carries the time-tag damage that `seasat clean` repairs."""

import numpy as np
import pytest

from swathkit.cli.main import main
from swathkit.products.seasat.hdr import column, read_hdr

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_decoded_msec_shows_the_generated_damage_and_clean_restores_it(tmp_path) -> None:
    raw = tmp_path / "take.raw"
    assert main(["sim", "generate", "seasat", "--lines", "3000", "--ber", "1e-4", "--seed", "2",
                 "--out", str(raw)]) == 0
    truth = np.loadtxt(tmp_path / "take.raw.msec.truth.txt", dtype=np.int64)
    assert main(["seasat", "decode", str(raw), "--out", str(tmp_path / "dec")]) == 0
    hdrs = sorted((tmp_path / "dec").glob("*.hdr"))
    assert len(hdrs) == 1
    decoded = read_hdr(hdrs[0])[:, column("msec")]
    corrupted = truth[:, 2] != 0
    assert corrupted.any()
    # what the decoder read is what the generator transmitted: damaged where the truth says
    n = min(len(decoded), len(truth))
    assert np.mean(decoded[:n][~corrupted[:n]] == truth[:n, 1][~corrupted[:n]]) > 0.95
    assert main(["seasat", "clean", str(hdrs[0]), "--out", str(tmp_path / "clean"),
                 "--min-lines", "1000"]) in (0, 1)
