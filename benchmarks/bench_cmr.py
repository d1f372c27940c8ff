"""The simulated ASF catalogue: build time, query latency, and counting the seed's search.

Baseline: asf_search 14 ``search_count`` (one request per window, the USA as one
polygon) against our ``CmrCatalog.matched`` (one request per part: CONUS, AK, HI),
over the seed's 38 two-month windows, both against the simulated CMR on loopback.

    python benchmarks/bench_cmr.py [--windows 38]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from datetime import datetime, timedelta

from common import median_time, print_table
from swathkit.archives.cmr import CmrCatalog
from swathkit.geodata.usa import USA_PARTS
from swathkit.sim.cmr.alos import Catalogue, _us_slots, catalogue
from swathkit.sim.cmr.asf import SimulatedAsf
from swathkit.types import Query


def _windows(n: int) -> list[tuple[datetime, datetime]]:
    start, step = datetime(2006, 1, 1), timedelta(days=60)
    return [(start + k * step, start + (k + 1) * step) for k in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--windows", type=int, default=38)
    args = parser.parse_args()
    t0 = time.perf_counter()
    _us_slots()
    slots_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    Catalogue(seed=7)
    build_s = time.perf_counter() - t0
    cat = catalogue()
    windows = _windows(args.windows)
    ms = [(int(a.timestamp() * 1000), int(b.timestamp() * 1000)) for a, b in windows]
    select_s = median_time(lambda: [cat.select(a, b, (-125, 24, -66, 50)) for a, b in ms], 5)
    rows = [["slots over the USA (once per process)", f"{slots_s * 1000:.0f} ms"],
            ["catalogue build (one seed)", f"{build_s * 1000:.0f} ms"],
            ["scenes over the USA, whole mission", len(cat)],
            ["select, per 60-day window (CONUS box)", f"{select_s / len(ms) * 1e6:.0f} µs"]]
    with SimulatedAsf(pixels=16) as sim:
        os.environ["REQUESTS_CA_BUNDLE"] = str(sim.ca_file)
        import asf_search as asf

        ours = CmrCatalog(url=sim.cmr_url, datapool_url=sim.datapool_url, ca_bundle=sim.ca_file,
                          aoi=list(USA_PARTS.values()))
        queries = [Query("alos-rtc-fbd", a, b) for a, b in windows]
        t0 = time.perf_counter()
        total = sum(ours.matched(q) for q in queries)
        ours_s = time.perf_counter() - t0
        wkt = "MULTIPOLYGON(" + ",".join(
            "((" + ",".join(f"{x} {y}" for x, y in p.exterior.coords) + "))"
            for p in USA_PARTS.values()) + ")"
        opts = asf.ASFSearchOptions(host=sim.cmr_host)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = sum(asf.search_count(platform="ALOS", processingLevel="RTC_HI_RES",
                                          beamMode="FBD", polarization="HH+HV",
                                          intersectsWith=wkt, start=a, end=b, opts=opts)
                         for a, b in windows)
        theirs_s = time.perf_counter() - t0
    rows += [["count, ours (3 parts × windows)", f"{ours_s:.2f} s, {total} hits"],
             ["count, asf_search (1 hull × windows)", f"{theirs_s:.2f} s, {theirs} hits"],
             ["ratio asf_search / ours", f"{theirs_s / ours_s:.2f}"]]
    print_table("simulated ASF catalogue", ["measure", "value"], rows)


if __name__ == "__main__":
    main()
