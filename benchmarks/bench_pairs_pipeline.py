"""The pairs pipeline on the simulated ASF and LandsatLook: ``pairs search`` then ``pairs score``.

search: catalogue requests and wall time of the harvest-and-join against the seed's
pattern, one STAC search per ALOS scene (its lon/lat box, its date ± 1 day, cloud < 30),
run for real against the same simulator; then the re-run from the harvest cache.
score: bytes fetched by HTTP Range reads of the windows under each footprint, and wall
time, against downloading the whole tiles of each pair (the seed's method).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import print_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pixels", type=int, default=5000, help="DSWE tile size (5000: full)")
    parser.add_argument("--bbox", default="-92,33,-88,37", help="AOI W,S,E,N")
    parser.add_argument("--start", default="2008-06-01")
    parser.add_argument("--end", default="2008-08-01")
    parser.add_argument("--quick", action="store_true", help="500-pixel tiles")
    args = parser.parse_args()
    if args.quick:
        args.pixels = 500
    from shapely.geometry import box

    from swathkit.sim.cmr.asf import SimulatedAsf
    from swathkit.sim.stac.server import SimulatedLandsatLook

    aoi = box(*(float(v) for v in args.bbox.split(",")))
    with tempfile.TemporaryDirectory(prefix="bench-pairs-") as tmp, \
            SimulatedAsf(pixels=16, cache_dir=Path(tmp) / "asf") as asf, \
            SimulatedLandsatLook(pixels=args.pixels, require_login=False,
                                 cache_dir=Path(tmp) / "ll") as ll:
        ca = Path(tmp) / "ca.pem"
        ca.write_text(asf.ca_file.read_text() + ll.ca_file.read_text())
        os.environ.update(SWATHKIT_CMR_URL=asf.cmr_url,
                          SWATHKIT_ASF_DATAPOOL_URL=asf.datapool_url,
                          SWATHKIT_LANDSATLOOK_STAC_URL=ll.stac_url,
                          SWATHKIT_LANDSATLOOK_URL=ll.base_url, SWATHKIT_ERS_URL=ll.base_url,
                          SWATHKIT_CA_BUNDLE=str(ca))
        table = Path(tmp) / "pairs.parquet"
        search_rows(table, aoi, args, Path(tmp) / "cache")
        score_rows(table, args.pixels)


def search_rows(table: Path, aoi: Any, args: argparse.Namespace, cache: Path) -> None:
    from swathkit.archives.cmr import CmrCatalog
    from swathkit.jobs.pairs.search import SAR_PRODUCT, search_pairs
    from swathkit.types import Query

    # the simulated CMR makes each scene's zip (for its size and MD5) on first listing
    scenes = list(CmrCatalog(aoi=[aoi]).search(Query(SAR_PRODUCT, args.start, args.end)))
    seed_requests, seed_seconds = per_scene_baseline(scenes)
    t0 = time.perf_counter()
    first = search_pairs(table, [aoi], args.start, args.end, cache_dir=cache)
    t1 = time.perf_counter()
    again = search_pairs(table, [aoi], args.start, args.end, cache_dir=cache)
    t2 = time.perf_counter()
    e = first.extras
    print_table(f"pairs search over {args.bbox}, {args.start} – {args.end}: "
                f"{first.counts['scenes']} ALOS scenes, {first.counts['dswe_tiles']} DSWE "
                f"tiles, {first.counts['candidates']} candidates",
                ("method", "STAC requests", "CMR requests", "wall s", "ratio to seed (time)"),
                [("seed: one STAC search per scene", seed_requests, "-", f"{seed_seconds:.2f}",
                  "1.00"),
                 ("harvest + join (cold)", e.stac_requests, e.cmr_requests, f"{t1 - t0:.2f}",
                  f"{(t1 - t0) / seed_seconds:.2f}"),
                 ("harvest + join (cached)", again.extras.stac_requests,
                  again.extras.cmr_requests, f"{t2 - t1:.2f}",
                  f"{(t2 - t1) / seed_seconds:.2f}"),
                 ("per-scene count the job reports", e.per_scene_stac_requests, "-", "-", "-")])


def per_scene_baseline(scenes: list[Any]) -> tuple[int, float]:
    """The seed's pattern on the same server: one search per scene (box, date ± 1 day)."""
    from shapely.geometry import shape

    from swathkit.archives.stac import StacCatalog
    from swathkit.types import Query

    catalog = StacCatalog(max_cloud=30, page_size=10)
    t0, requests = time.perf_counter(), 0
    for g in scenes:
        day = datetime(g.start.year, g.start.month, g.start.day, tzinfo=UTC)
        query = Query("dswe", day - timedelta(days=1), day + timedelta(days=1),
                      bbox=shape(g.footprint).bounds)
        requests += max(1, sum(1 for _ in catalog.pages(query)))  # an empty answer is one
    return requests, time.perf_counter() - t0


def score_rows(table: Path, pixels: int) -> None:
    from swathkit.archives.http import HttpClient
    from swathkit.jobs.pairs.score import asset_urls, score_pairs
    from swathkit.stores.pair_table import PairTable

    urls = [asset_urls(r.candidate.dswe_ids) for r in PairTable(table).rows()]
    with HttpClient() as http:  # the simulator makes each COG on its first request
        for url in {u for group in urls for u in group}:
            http.request("HEAD", url).close()
    t0 = time.perf_counter()
    report = score_pairs(table)
    ranged = time.perf_counter() - t0
    rows = PairTable(table).rows("scored")
    t0, whole = time.perf_counter(), 0
    with HttpClient() as http:
        for r in rows:
            for url in asset_urls(r.candidate.dswe_ids):
                whole += len(http.request("GET", url).content)
    downloaded = time.perf_counter() - t0
    n = max(1, len(report.extras.pairs))
    print_table(f"pairs score: {len(rows)} pairs on {pixels} × {pixels} DSWE tiles "
                "(COGs made by the simulator before timing)",
                ("method", "bytes per pair", "total MB", "wall s", "pairs/s",
                 "ratio to seed (bytes)"),
                [("seed: download whole tiles", f"{whole / n:,.0f}", f"{whole / 1e6:.2f}",
                  f"{downloaded:.2f}", f"{n / downloaded:.1f}", "1.00"),
                 ("Range reads of the windows", f"{report.bytes / n:,.0f}",
                  f"{report.bytes / 1e6:.2f}", f"{ranged:.2f}", f"{n / ranged:.1f}",
                  f"{report.bytes / whole:.3f}")])


if __name__ == "__main__":
    main()
