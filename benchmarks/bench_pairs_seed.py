"""The seed's pair search against ``pairs search`` + ``pairs score``, on the same simulators.

One region and one year on the simulated ASF (CMR) and LandsatLook (stac-server, ERS
login, full-size 5000 px INWAM COGs behind the login). The simulators' files are made
before timing (the RTC zips a CMR record needs, and every DSWE COG either method may
read), so both sides measure the client, not the simulator writing COGs. Counted at the
simulators: catalogue requests (CMR, stac-server), ERS login requests, asset requests and
the tile bytes sent. Neither method downloads the ALOS zips here: both download the same
zips of the kept pairs.

Methods: ``seed_pairs.py`` as written (its download loop fetches each tile 10 times), the
seed with that loop fixed (one GET per tile: the baseline of the ratios), swathkit cold
(empty harvest cache), swathkit again from the harvest cache, and the scoring of the
same candidates by the seed's box (``within="bbox"``), whose decisions are compared with
the seed's scene by scene.

    python benchmarks/bench_pairs_seed.py [--bbox -92,33,-90,35 --year 2009] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import print_table  # noqa: E402

OUT = Path(__file__).parent / "out" / "pairs-seed"
USER, PASSWORD = "bench", "bench-secret"
# asf_search 14.1's WKT repair calls the deprecated shapely.ops.transform
warnings.filterwarnings("ignore", "The 'shapely.ops.transform", DeprecationWarning)


@dataclass(frozen=True)
class Run:
    """One method's run: what it cost at the simulators, and what it decided."""

    name: str
    seconds: float
    cmr: int
    stac: int
    logins: int
    assets: int
    tile_bytes: int
    kept: dict[str, bool]  # scene name → kept (scenes scored only)
    pairs: int

    @property
    def catalogue(self) -> int:
        return self.cmr + self.stac


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bbox", default="-92,33,-90,35", help="region W,S,E,N (lon/lat)")
    parser.add_argument("--year", type=int, default=2009)
    parser.add_argument("--pixels", type=int, default=5000, help="DSWE tile size (5000: full)")
    parser.add_argument("--quick", action="store_true",
                        help="a 1° box over two months, 1000 px tiles")
    args = parser.parse_args()
    start, end = datetime(args.year, 1, 1, tzinfo=UTC), datetime(args.year + 1, 1, 1, tzinfo=UTC)
    if args.quick:
        args.bbox, args.pixels = "-91,34,-90,35", 1000
        start, end = datetime(args.year, 5, 1, tzinfo=UTC), datetime(args.year, 7, 1, tzinfo=UTC)
    west, south, east, north = (float(v) for v in args.bbox.split(","))
    with simulators(args.pixels) as (asf, ll), tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        wkt = f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))"
        target = seed_target(asf, ll)
        warm_seconds, results = warm(wkt, start, end, target, ll)
        runs = [measure("seed, as written (each tile fetched 10×)", asf, ll,
                        lambda: run_seed(wkt, start, end, target, tmp / "seed10", False)),
                measure("seed, download loop fixed (baseline)", asf, ll,
                        lambda: run_seed(wkt, start, end, target, tmp / "seed", True)),
                measure("swathkit pairs search + score (cold)", asf, ll,
                        lambda: run_swathkit(wkt, start, end, tmp / "a", tmp / "cache")),
                measure("swathkit, harvest cached", asf, ll,
                        lambda: run_swathkit(wkt, start, end, tmp / "b", tmp / "cache")),
                measure("swathkit scoring by the seed's box", asf, ll,
                        lambda: run_swathkit(wkt, start, end, tmp / "c", tmp / "cache",
                                             within="bbox"))]
        title = (f"{args.bbox}, {start:%Y-%m-%d} – {end:%Y-%m-%d}: {len(results)} ALOS scenes, "
                 f"{args.pixels} px DSWE tiles (simulator files made first: {warm_seconds:.0f} s)")
        print_costs(title, runs)
        print_decisions(runs)
        print_scoring(runs[1], runs[2], tmp / "a" / "pairs.parquet")


@contextmanager
def simulators(pixels: int) -> Iterator[tuple[Any, Any]]:
    """Both simulators on loopback, their files kept in benchmarks/out; env pointing at them."""
    from swathkit.sim.cmr.asf import SimulatedAsf
    from swathkit.sim.stac.server import SimulatedLandsatLook

    OUT.mkdir(parents=True, exist_ok=True)
    with SimulatedAsf(pixels=16, cache_dir=OUT / "asf") as asf, \
            SimulatedLandsatLook(users={USER: PASSWORD}, pixels=pixels,
                                 cache_dir=OUT / "ll") as ll, \
            tempfile.TemporaryDirectory() as home:
        ca = Path(home) / "ca.pem"
        ca.write_text(asf.ca_file.read_text() + ll.ca_file.read_text())
        os.environ.update(
            HOME=home, XDG_CACHE_HOME=str(Path(home) / "cache"), REQUESTS_CA_BUNDLE=str(ca),
            SWATHKIT_CA_BUNDLE=str(ca), SWATHKIT_CMR_URL=asf.cmr_url,
            SWATHKIT_ASF_DATAPOOL_URL=asf.datapool_url, SWATHKIT_LANDSATLOOK_STAC_URL=ll.stac_url,
            SWATHKIT_LANDSATLOOK_URL=ll.base_url, SWATHKIT_ERS_URL=ll.base_url,
            USGS_USERNAME=USER, USGS_PASSWORD=PASSWORD)
        yield asf, ll


def seed_target(asf: Any, ll: Any) -> Any:
    from seed_pairs import SeedTarget

    return SeedTarget(asf.cmr_host, ll.stac_url, ll.base_url + "login", USER, PASSWORD)


def warm(wkt: str, start: datetime, end: datetime, target: Any,
         ll: Any) -> tuple[float, list[dict[str, Any]]]:
    """Make every file either method reads: the zips of the CMR records, the COGs of the
    items of each scene's date ± 1 day (the seed's search; swathkit's |Δt| ≤ 1 day is
    within it)."""
    import requests

    from seed_pairs import search_scenes

    t0 = time.perf_counter()
    results = search_scenes(wkt, start, end, target.cmr_host)
    hrefs = sorted({h for r in results for h in nearby_hrefs(r, target.stac_url)})
    with requests.Session() as s, ThreadPoolExecutor(2) as pool:
        s.cookies.update(login_cookies(target))
        list(pool.map(lambda h: s.head(h).raise_for_status(), hrefs))
    return time.perf_counter() - t0, results


def nearby_hrefs(result: dict[str, Any], stac_url: str) -> list[str]:
    """The INWAM hrefs of every item of the scene's date ± 1 day, cloud < 30."""
    from datetime import timedelta

    from pystac_client import Client

    from seed_pairs import _points, return_coordinates

    day = datetime.fromisoformat(
        result["TemporalExtent"]["RangeDateTime"]["BeginningDateTime"][:10])
    window = f"{day - timedelta(days=1):%Y-%m-%d}/{day + timedelta(days=1):%Y-%m-%d}"
    found = Client.open(stac_url).search(
        intersects=return_coordinates(_points(result)), collections="landsat-c2l3-dswe",
        datetime=window, query={"eo:cloud_cover": {"lt": 30}}, limit=100)
    return [i.assets["inwam"].href for i in found.items()]


def login_cookies(target: Any) -> Any:
    import requests

    from seed_pairs import _csrf

    with requests.Session() as s:
        page = s.get(target.login_url).content
        s.post(target.login_url, data={"username": target.username,
                                       "password": target.password, "csrf": _csrf(page)})
        return s.cookies


def measure(name: str, asf: Any, ll: Any,
            run: Callable[[], tuple[dict[str, bool], int]]) -> Run:
    a0, l0 = asf.stats(), ll.stats()
    t0 = time.perf_counter()
    kept, pairs = run()
    seconds = time.perf_counter() - t0
    a1, l1 = asf.stats(), ll.stats()
    print(f"  {name}: {seconds:.1f} s", flush=True)
    return Run(name, seconds, a1.cmr_requests - a0.cmr_requests,
               l1.stac_requests - l0.stac_requests, l1.login_requests - l0.login_requests,
               l1.asset_requests - l0.asset_requests, l1.bytes_sent - l0.bytes_sent, kept,
               pairs)


def run_seed(wkt: str, start: datetime, end: datetime, target: Any, work: Path,
             fixed_loop: bool) -> tuple[dict[str, bool], int]:
    from seed_pairs import search_scenes, seed_pairs

    scenes = seed_pairs(search_scenes(wkt, start, end, target.cmr_host), work, target,
                        fixed_loop=fixed_loop)
    scored = [s for s in scenes if s.tiles]
    return {s.name: s.kept for s in scored}, len(scored)


def run_swathkit(wkt: str, start: datetime, end: datetime, work: Path, cache: Path, *,
                 within: str = "footprint") -> tuple[dict[str, bool], int]:
    import shapely

    from swathkit.jobs.pairs.score import score_pairs
    from swathkit.jobs.pairs.search import search_pairs
    from swathkit.process.overlap import ScoreRules
    from swathkit.stores.pair_table import PairTable

    work.mkdir(parents=True)
    table = work / "pairs.parquet"
    search_pairs(table, [shapely.from_wkt(wkt)], start, end, cache_dir=cache)
    report = score_pairs(table, rules=ScoreRules(within=within))  # type: ignore[arg-type]
    if report.failures:
        raise SystemExit(f"swathkit failed pairs: {report.failures[:3]}")
    rows = PairTable(table).rows("scored")
    return {r.candidate.sar_name: r.score is not None and r.score.decision == "keep"
            for r in rows}, len(rows)


def print_costs(title: str, runs: list[Run]) -> None:
    base = runs[1]
    rows = []
    for r in runs:
        rows.append((r.name, r.cmr, r.stac, r.logins, r.assets, f"{r.tile_bytes / 1e6:,.1f}",
                     f"{r.seconds:.1f}", _ratio(base.catalogue, r.catalogue),
                     _ratio(base.tile_bytes, r.tile_bytes), _ratio(base.seconds, r.seconds)))
    print_table(title + "; ratios: seed (loop fixed) / method; targets ≥ 20×, ≥ 5×, ≥ 10×",
                ("method", "CMR req", "STAC req", "login req", "asset req", "tile MB", "wall s",
                 "× fewer catalogue req", "× fewer bytes", "× faster"), rows)
    print("note: no ALOS zip is downloaded by either method (both download the same zips "
          "of the kept pairs); 'tile MB' is the DSWE bytes the simulator sent.")


def print_decisions(runs: list[Run]) -> None:
    seed, cold, bbox = runs[1], runs[2], runs[4]
    both = sorted(set(seed.kept) & set(bbox.kept))
    agree = sum(seed.kept[n] == bbox.kept[n] for n in both)
    rows = [(r.name, r.pairs, sum(r.kept.values())) for r in (runs[0], seed, bbox, cold)]
    print_table("decisions: pairs scored and kept (valid ≥ 0.5, water ≥ 0.05)",
                ("method", "pairs scored", "pairs kept"), rows)
    print(f"seed vs swathkit by the seed's box: {len(both)} scenes scored by both, {agree} "
          f"same decision; scored by the seed only: {len(set(seed.kept) - set(bbox.kept))}, "
          f"by swathkit only: {len(set(bbox.kept) - set(seed.kept))}")


def print_scoring(seed: Run, cold: Run, table: Path) -> None:
    from swathkit.stores.pair_table import PairTable

    n = max(1, cold.pairs)
    tiles = sum(len(r.candidate.dswe_ids) for r in PairTable(table).rows("scored"))
    print(f"scoring: swathkit {cold.tile_bytes / n:,.0f} B read per pair "
          f"({tiles / n:.1f} tiles a pair), the seed {seed.tile_bytes / max(1, seed.pairs):,.0f}"
          f" B per pair (whole tiles)")


def _ratio(base: float, value: float) -> str:
    return f"{base / value:.1f}" if value else "∞"


if __name__ == "__main__":
    main()
