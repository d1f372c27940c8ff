"""The pairs step of ``swathkit demo``: search, score, download and picture a pair, simulated.

Starts the simulated ASF (CMR, Earthdata Login, datapool) and LandsatLook (STAC, ERS, DSWE
COGs) on 127.0.0.1, points swathkit at them the way a user would (``SWATHKIT_*_URL``,
``SWATHKIT_CA_BUNDLE`` and the simulated accounts in ``EARTHDATA_*``/``USGS_*``, for this
step only), then runs the verbs a user types, through the parser, so the demo shows what
they print. The area is the Louisiana coast around Lake Pontchartrain, June–July 2008: a
few ALOS paths, a dozen candidates, some of them kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from swathkit.cli import render
from swathkit.cli.environment import environment

AOI = "POLYGON((-91.5 29.2, -89.0 29.2, -89.0 30.8, -91.5 30.8, -91.5 29.2))"
PERIOD = ("2008-06-01", "2008-08-01")
RTC_PIXELS = 600  # columns of the simulated RTC rasters (full size: ~6000; the
# simulated CMR makes each zip of a search answer to give its MD5 and size)
DSWE_PIXELS = 1000  # of the simulated DSWE tiles (full size: 5000)
ACCOUNT = ("demo", "demo-password")  # the simulators' accounts, not real ones


def _run(argv: list[str]) -> int:
    from swathkit.cli.main import build_parser

    args = build_parser(argv[0]).parse_args(argv)
    return int(args.run(args))


@contextmanager
def simulated_archives(folder: Path) -> Iterator[None]:
    """The two simulators running, and swathkit's endpoints and accounts pointing at them."""
    from swathkit.archives.registry import archive_factory

    user, password = ACCOUNT
    start = archive_factory("pairs-sim")  # the simulators, by name: see archives.registry
    with start(folder, users={user: password}, rtc_pixels=RTC_PIXELS,
               dswe_pixels=DSWE_PIXELS) as sims:
        render.note(f"simulated ASF: CMR {sims.asf.cmr_url}, datapool {sims.asf.datapool_url}; "
                    f"simulated LandsatLook: {sims.landsatlook.stac_url}")
        with environment(sims.environment(user, password)):
            yield


def run(out: Path) -> tuple[int, Path]:
    """Run the step into ``out/pairs``; (exit code, the step's folder)."""
    folder = out / "pairs"
    folder.mkdir(parents=True, exist_ok=True)
    table, scenes = folder / "pairs.parquet", folder / "scenes"
    render.console.rule("Pairs: ALOS PALSAR RTC × USGS DSWE, found, scored, downloaded")
    with simulated_archives(folder / "sim"):
        code = _run(["pairs", "run", "--aoi", AOI, "--start", PERIOD[0], "--end", PERIOD[1],
                     "--table", str(table), "--out", str(scenes)])
        if code:
            return code, folder
        code = _run(["pairs", "export", "--table", str(table), "--csv",
                     str(folder / "alos_dswe_database.csv")])
    downloaded = sorted(p for p in scenes.glob("*/") if p.is_dir())
    if code or not downloaded:
        render.note("no pair was kept, so there is nothing to picture")
        return code or 1, folder
    return _run(["pairs", "show", str(downloaded[0]), "--table", str(table), "--out",
                 str(folder / f"{downloaded[0].name}.png")]), folder
