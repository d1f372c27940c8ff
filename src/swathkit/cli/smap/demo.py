"""The SMAP step of ``swathkit demo``: a week of L3 soil moisture found, downloaded, read.

Starts the simulated NSIDC (CMR, Earthdata Login, datapool serving synthetic SMAP files)
on 127.0.0.1, points swathkit at it the way a user would (``SWATHKIT_*_URL``,
``SWATHKIT_CA_BUNDLE``, the simulated account in ``EARTHDATA_*``, for this step only),
then runs the verbs a user types, through the parser: ``smap download`` of a week of
SPL3SMP (the newest counter of each CRID kept), ``inspect`` of one file, ``convert`` of
its AM soil moisture to a COG on EASE2 M36, a ``quicklook`` with a 2–98 % stretch,
``smap consolidate`` of the week into a grid cube (AM and PM apart) and a quicklook of
the cube's last day.
"""

from __future__ import annotations

from pathlib import Path

from swathkit.cli import render
from swathkit.cli.environment import environment

PRODUCT = "SPL3SMP"
WEEK = ("2015-04-01", "2015-04-07")  # first and last day, both included
LAYER = "Soil_Moisture_Retrieval_Data_AM/soil_moisture"
ACCOUNT = ("demo", "demo-password")  # the simulator's account, not a real one


def _run(argv: list[str]) -> int:
    from swathkit.cli.main import build_parser

    args = build_parser(argv[0]).parse_args(argv)
    return int(args.run(args))


def run(out: Path) -> tuple[int, Path]:
    """Run the step into ``out/smap``; (exit code, the step's folder)."""
    from swathkit.archives.registry import archive_factory

    folder = out / "smap"
    files = folder / "l3"
    render.console.rule("SMAP: a week of L3 soil moisture from NSIDC, inspected, converted, "
                        "viewed, consolidated")
    user, password = ACCOUNT
    start = archive_factory("nsidc-sim")  # the simulator, by name: see archives.registry
    with start(users={user: password}, cache_dir=folder / "sim") as sim:
        render.note(f"simulated NSIDC: CMR {sim.cmr_url}, datapool {sim.datapool_url}")
        with environment(sim.environment(user, password)):
            code = _run(["smap", "download", "--product", PRODUCT, "--start", WEEK[0],
                         "--end", WEEK[1], "--out", str(files)])
    found = sorted(files.glob("SMAP_L3_SM_P_*.h5"))
    if code or not found:
        return code or 1, folder
    first = str(found[0])
    codes = [_run(["inspect", first]),
             _run(["convert", first, "--layer", LAYER, "--to", "cog", "--out",
                   str(folder / "soil_moisture_am.tif")]),
             _run(["quicklook", first, "--layer", LAYER, "--stretch", "percentile", "--out",
                   str(folder / "soil_moisture_am.png")])]
    cube = folder / "soil_moisture_m36.zarr"
    codes.append(_run(["smap", "consolidate", str(files), "--cube", str(cube)]))
    if not codes[-1]:
        codes.append(_run(["quicklook", str(cube), "--layer", "soil_moisture_pm", "--day",
                           WEEK[1], "--stretch", "percentile", "--out",
                           str(folder / f"soil_moisture_pm_{WEEK[1]}.png")]))
    return max(codes), folder
