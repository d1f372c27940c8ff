"""The simulated LandsatLook: catalogue size, search latency, full-size INWAM COG generation.

Counts the DSWE items of 2006-2011 per grid and platform (on demand: nothing is
stored), times pystac-client searches against the simulator (the seed's search per
ALOS scene: a footprint, +/- 1 day, eo:cloud_cover < 30), and the generation of one
INWAM COG at full size (5000 x 5000, 30 m). Baseline: the seed's query budget, one
search per ALOS scene (30,743) against one per acquisition day (~1,800).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median_time, print_table

SEED_SEARCHES = 30_743
DAY_SEARCHES = 1_800
FOOTPRINT = {"type": "Polygon", "coordinates": [[[-90.9, 34.6], [-90.1, 34.5], [-89.9, 35.2],
                                                 [-90.7, 35.3], [-90.9, 34.6]]]}


def count_items() -> list[list[object]]:
    from swathkit.sim.stac.landsat import acquisitions

    rows = []
    for region in ("CU", "AK", "HI"):
        t0 = time.perf_counter()
        counts = Counter(a.platform.name for a in acquisitions(
            datetime(2006, 1, 1, tzinfo=UTC), datetime(2012, 1, 1, tzinfo=UTC), region=region))
        rows.append([region, counts["LANDSAT_5"], counts["LANDSAT_7"], sum(counts.values()),
                     f"{time.perf_counter() - t0:.1f}"])
    return rows


def search_latency(repeat: int) -> list[list[object]]:
    from pystac_client import Client

    from swathkit.sim.stac.server import SimulatedLandsatLook

    rows = []
    with SimulatedLandsatLook(pixels=500) as sim:
        os.environ["REQUESTS_CA_BUNDLE"] = str(sim.ca_file)
        client = Client.open(sim.stac_url)

        window = _window_with_items()

        def seed_search() -> int:
            found = client.search(collections=["landsat-c2l3-dswe"], intersects=FOOTPRINT,
                                  datetime=window, max_items=100,
                                  query=["eo:cloud_cover<30"])
            return len(list(found.items_as_dicts()))

        def day_search() -> int:
            found = client.search(collections=["landsat-c2l3-dswe"], bbox=[-125, 24, -66, 50],
                                  datetime="2008-06-15", limit=500)
            return len(list(found.items_as_dicts()))

        seed_search()  # first use computes the orbit geometry
        for name, fn, count in (("seed: per ALOS scene", seed_search, SEED_SEARCHES),
                                ("per acquisition day (CONUS)", day_search, DAY_SEARCHES)):
            seconds = median_time(fn, repeat)
            rows.append([name, fn(), f"{seconds * 1000:.0f}", count,
                         f"{seconds * count / 60:.1f}"])
    return rows


def _window_with_items() -> str:
    """The seed's +/- 1 day around a day when a DSWE tile of the footprint was imaged."""
    from datetime import timedelta

    from swathkit.products.dswe.grid import tiles_covering
    from swathkit.sim.stac.landsat import acquisitions

    tiles = frozenset(tiles_covering(FOOTPRINT))
    day = next(a.datetime.date() for a in acquisitions(
        datetime(2008, 6, 1, tzinfo=UTC), datetime(2008, 7, 1, tzinfo=UTC), tiles=tiles)
        if a.cloud_cover < 30)
    return f"{day - timedelta(days=1)}/{day + timedelta(days=1)}"


def cog_times(sizes: list[int]) -> list[list[object]]:
    from swathkit.sim.stac.dswe_cog import write_inwam
    from swathkit.sim.stac.landsat import acquisitions

    acq = next(a for a in acquisitions(datetime(2008, 6, 1, tzinfo=UTC),
                                       datetime(2008, 6, 17, tzinfo=UTC))
               if a.track.blocks > 9000 and 10 < a.cloud_cover < 50)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for pixels in sizes:
            t0 = time.perf_counter()
            path = write_inwam(acq, Path(tmp) / f"{pixels}.tif", pixels=pixels)
            rows.append([pixels, f"{150_000 / pixels:.0f} m", f"{time.perf_counter() - t0:.1f}",
                         f"{path.stat().st_size / 1e6:.2f}"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small COG, fewer repeats")
    args = parser.parse_args()
    print_table("DSWE items 2006-2011 (simulated holdings)",
                ["grid", "Landsat 5", "Landsat 7", "total", "listing s"], count_items())
    rows = search_latency(1 if args.quick else 5)
    print_table("pystac-client searches against the simulator",
                ["search", "items", "median ms", "searches (seed budget)", "total min"], rows)
    seed_min, day_min = float(rows[0][4]), float(rows[1][4])
    print(f"ratio seed budget / per-day budget: {seed_min / day_min:.1f}x")
    print_table("INWAM COG generation", ["pixels", "cell", "seconds", "MB"],
                cog_times([500, 1000] if args.quick else [500, 5000]))


if __name__ == "__main__":
    main()
