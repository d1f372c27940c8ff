"""The seed's pair search against ``pairs search`` + ``pairs score``, on the same simulators.

One region and one year on the simulated ASF (CMR) and LandsatLook (stac-server, ERS
login, full-size 5000 px INWAM COGs behind the login). The simulators' files are made
before timing (the RTC zips a CMR record needs, and every DSWE COG either method may
read), so both sides measure the client, not the simulator writing COGs. Counted at the
simulators: catalogue requests (CMR, stac-server), ERS login requests, asset requests and
the tile bytes sent. Neither method downloads the ALOS zips here: both download the same
zips of the kept pairs.

Methods: ``seed_pairs.py`` as written (its download loop fetches each tile 10 times); the
seed with that loop fixed (one GET per tile: the baseline of every ratio); the seed also
grouping the items by date (it groups them by exact datetime, and the tiles of one
overpass differ by seconds, so it merges one tile where there are several); swathkit cold
(empty harvest cache), from the harvest cache, with one harvest window for the year
(``chunk_days=366``), and scoring by the seed's box (``within="bbox"``), whose decisions
are compared with the seed's scene by scene. The last table gives the bytes read per pair
against its tiles' size, and pairs/s of the score step. Each method runs ``--repeat``
times (each in a new folder, the cold ones with a new harvest cache): requests, bytes
and decisions of the first run, the median wall time.

The default region (the Gulf coast of Louisiana and Mississippi, 2008) has water enough
for pairs to be kept; its COGs (~50 files, about a minute to make) stay in
benchmarks/out/pairs-seed, so a second run starts at once.

    python benchmarks/bench_pairs_seed.py [--bbox=-92,29,-88,31 --year 2008 --repeat 3]
    python benchmarks/bench_pairs_seed.py --quick   # 1000 px tiles, four months, one run
    python benchmarks/bench_pairs_seed.py --latency 0ms  # both archives on plain loopback

The real archives are far from their users (a round trip of tens of milliseconds from
inside the USA to ASF in Alaska or USGS EROS in South Dakota, 100-200 ms from Europe or
Asia), so by default both simulators sit behind a link that delays every exchange by
80 ms (``--latency``, :mod:`swathkit.sim.wan`): there each request the seed makes costs
what it costs in use. On plain loopback a request costs nothing, and both methods spend
their time on CPU shared with the simulators (in this process, on the same cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import print_table

OUT = Path(__file__).parent / "out" / "pairs-seed"
USER, PASSWORD = "bench", "bench-secret"
# asf_search 14.1's WKT repair calls the deprecated shapely.ops.transform
warnings.filterwarnings("ignore", "The 'shapely.ops.transform", DeprecationWarning)


@dataclass(frozen=True)
class Outcome:
    """What a method decided: per scene scored, kept or not, and the tile files it used."""

    kept: dict[str, bool]
    tiles: dict[str, frozenset[str]]
    score_seconds: float = 0.0
    file_bytes: int = 0  # size of the tile files read per pair, summed over the pairs


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
    outcome: Outcome

    @property
    def catalogue(self) -> int:
        return self.cmr + self.stac

    @property
    def pairs(self) -> int:
        return len(self.outcome.kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bbox", default="-92,29,-88,31", help="region W,S,E,N (lon/lat)")
    parser.add_argument("--year", type=int, default=2008)
    parser.add_argument("--pixels", type=int, default=5000, help="DSWE tile size (5000: full)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per method (median time)")
    parser.add_argument("--latency", default="80ms",
                        help="round trip to both archives (default 80ms; 0ms: loopback)")
    parser.add_argument("--quick", action="store_true",
                        help="the region's eastern half over four months, 1000 px tiles")
    args = parser.parse_args()
    start, end = datetime(args.year, 1, 1, tzinfo=UTC), datetime(args.year + 1, 1, 1, tzinfo=UTC)
    if args.quick:
        args.bbox, args.pixels, args.repeat = "-90,29,-88,31", 1000, 1
        start, end = datetime(args.year, 3, 1, tzinfo=UTC), datetime(args.year, 7, 1, tzinfo=UTC)
    from swathkit.sim.wan import parse_latency

    latency = parse_latency(args.latency)
    west, south, east, north = (float(v) for v in args.bbox.split(","))
    wkt = f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))"
    with simulators(args.pixels, latency) as (asf, ll), \
            tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        target = seed_target(asf, ll)
        warm_seconds, results = warm(wkt, start, end, target)

        def seed(**options: bool) -> Callable[[int], Outcome]:
            return lambda k: run_seed(wkt, start, end, target, fresh(tmp), **options)

        def ours(cache: str, **options: Any) -> Callable[[int], Outcome]:
            # "{k}": a new, empty harvest cache each time; else the first cold run's
            return lambda k: run_swathkit(wkt, start, end, fresh(tmp),
                                          tmp / cache.format(k=k), **options)

        runs = [measure(name, asf, ll, fn, args.repeat) for name, fn in (
            ("seed, as written (each tile fetched 10×)", seed()),
            ("seed, download loop fixed (baseline)", seed(fixed_loop=True)),
            ("seed, loop fixed, tiles grouped by date", seed(fixed_loop=True, by_date=True)),
            ("swathkit search + score (cold)", ours("cold-{k}")),
            ("swathkit, harvest cached", ours("cold-0")),
            ("swathkit, one harvest window (chunk_days=366)", ours("one-{k}", chunk_days=366)),
            ("swathkit, scored by the seed's box", ours("cold-0", within="bbox")))]
        title = (f"{args.bbox}, {start:%Y-%m-%d} – {end:%Y-%m-%d}: {len(results)} ALOS scenes, "
                 f"{args.pixels} px DSWE tiles, {1e3 * latency:.0f} ms round trip to both "
                 f"archives (simulator files made first: {warm_seconds:.0f} s; wall times: "
                 f"median of {args.repeat} runs)")
        print_costs(title, runs)
        print_decisions(runs)
        print_scoring(runs)


@contextmanager
def simulators(pixels: int, latency: float) -> Iterator[tuple[Any, Any]]:
    """Both simulators on loopback (``latency`` s away), their files kept in benchmarks/out;
    env pointing at them."""
    from swathkit.sim.pairs import simulated_pairs

    with simulated_pairs(OUT, users={USER: PASSWORD}, rtc_pixels=16, dswe_pixels=pixels,
                         latency=latency) as sims, tempfile.TemporaryDirectory() as home:
        os.environ.update(sims.environment(USER, PASSWORD), HOME=home,
                          XDG_CACHE_HOME=str(Path(home) / "cache"),
                          REQUESTS_CA_BUNDLE=str(sims.ca_file))  # asf_search, pystac-client
        yield sims.asf, sims.landsatlook


def seed_target(asf: Any, ll: Any) -> Any:
    from seed_pairs import SeedTarget

    return SeedTarget(asf.cmr_host, ll.stac_url, ll.base_url + "login", USER, PASSWORD)


def warm(wkt: str, start: datetime, end: datetime,
         target: Any) -> tuple[float, list[dict[str, Any]]]:
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


def measure(name: str, asf: Any, ll: Any, run: Callable[[int], Outcome], repeat: int) -> Run:
    """Run ``repeat`` times: requests, bytes and decisions of the first run, median times."""
    a0, l0 = asf.stats(), ll.stats()
    t0 = time.perf_counter()
    outcomes = [run(0)]
    times = [time.perf_counter() - t0]
    a1, l1 = asf.stats(), ll.stats()
    for k in range(1, repeat):
        t0 = time.perf_counter()
        outcomes.append(run(k))
        times.append(time.perf_counter() - t0)
    print(f"  {name}: {', '.join(f'{t:.1f}' for t in times)} s", flush=True)
    first = replace(outcomes[0],
                    score_seconds=statistics.median(o.score_seconds for o in outcomes))
    return Run(name, statistics.median(times), a1.cmr_requests - a0.cmr_requests,
               l1.stac_requests - l0.stac_requests, l1.login_requests - l0.login_requests,
               l1.asset_requests - l0.asset_requests, l1.bytes_sent - l0.bytes_sent, first)


def run_seed(wkt: str, start: datetime, end: datetime, target: Any, work: Path, *,
             fixed_loop: bool = False, by_date: bool = False) -> Outcome:
    from seed_pairs import search_scenes, seed_pairs

    scenes = seed_pairs(search_scenes(wkt, start, end, target.cmr_host), work, target,
                        fixed_loop=fixed_loop, by_date=by_date)
    scored = [s for s in scenes if s.tiles]
    return Outcome({s.name: s.kept for s in scored},
                   {s.name: frozenset(s.tiles) for s in scored})


def run_swathkit(wkt: str, start: datetime, end: datetime, work: Path, cache: Path, *,
                 within: str = "footprint", chunk_days: int | None = None) -> Outcome:
    import shapely

    from swathkit.jobs.pairs.score import asset_urls, score_pairs
    from swathkit.jobs.pairs.search import search_pairs
    from swathkit.process.overlap import ScoreRules
    from swathkit.stores.pair_table import PairTable

    table = work / "pairs.parquet"
    options = {} if chunk_days is None else {"chunk_days": chunk_days}
    search_pairs(table, [shapely.from_wkt(wkt)], start, end, cache_dir=cache, **options)
    t0 = time.perf_counter()
    report = score_pairs(table, rules=ScoreRules(within=within))  # type: ignore[arg-type]
    score_seconds = time.perf_counter() - t0
    if report.failures:
        raise SystemExit(f"swathkit failed pairs: {report.failures[:3]}")
    rows = PairTable(table).rows("scored")
    return Outcome({r.candidate.sar_name: r.score is not None and r.score.decision == "keep"
                    for r in rows},
                   {r.candidate.sar_name: frozenset(u.rsplit("/", 1)[-1]
                                                    for u in asset_urls(r.candidate.dswe_ids))
                    for r in rows}, score_seconds, report.extras.file_bytes)


def print_costs(title: str, runs: list[Run]) -> None:
    base = runs[1]
    rows = []
    for r in runs:
        rows.append((r.name, r.cmr, r.stac, r.logins, r.assets, f"{r.tile_bytes / 1e6:,.2f}",
                     f"{r.seconds:.1f}", _ratio(base.catalogue, r.catalogue),
                     _ratio(base.tile_bytes, r.tile_bytes), _ratio(base.seconds, r.seconds)))
    print_table(title + "; ratios: the seed with its loop fixed / the method (targets ≥ 20×, "
                "≥ 5×, ≥ 10×)",
                ("method", "CMR req", "STAC req", "login req", "asset req", "tile MB", "wall s",
                 "× fewer catalogue req", "× fewer tile bytes", "× faster"), rows)
    print("note: no ALOS zip is downloaded by either method (both download the same zips of "
          "the kept pairs); 'tile MB' is the DSWE bytes the simulator sent.")


def print_decisions(runs: list[Run]) -> None:
    print_table("decisions: pairs scored and kept (valid ≥ 0.5, water ≥ 0.05)",
                ("method", "pairs scored", "pairs kept"),
                [(r.name, r.pairs, sum(r.outcome.kept.values())) for r in runs[:4] + runs[6:]])
    bbox = runs[6].outcome
    rows = []
    for seed in (runs[1], runs[2]):
        s = seed.outcome
        both = set(s.kept) & set(bbox.kept)
        same = {n for n in both if s.tiles[n] == bbox.tiles[n]}
        rows.append((seed.name, len(both), sum(s.kept[n] == bbox.kept[n] for n in both),
                     len(same), sum(s.kept[n] == bbox.kept[n] for n in same),
                     len(set(s.kept) - set(bbox.kept)), len(set(bbox.kept) - set(s.kept))))
    print_table(f"seed against {runs[6].name}, scene by scene",
                ("seed", "scored by both", "same decision", "same tiles",
                 "same decision, same tiles", "seed only", "swathkit only"), rows)


def print_scoring(runs: list[Run]) -> None:
    rows = []
    for r in (runs[1], runs[2], runs[4], runs[6]):
        n = max(1, r.pairs)
        tiles = sum(len(t) for t in r.outcome.tiles.values())
        seconds = r.outcome.score_seconds or r.seconds
        files = r.outcome.file_bytes or r.tile_bytes
        rows.append((r.name, r.pairs, f"{tiles / n:.2f}", f"{r.tile_bytes / n:,.0f}",
                     f"{r.tile_bytes / max(1, files):.3f}", f"{seconds:.2f}",
                     f"{r.pairs / seconds:.1f}"))
    print_table("scoring: bytes read per pair against the size of its tiles, and throughput "
                "(swathkit: the score step alone; the seed: its whole run; median seconds)",
                ("method", "pairs", "tiles a pair", "bytes a pair", "of the tiles' size",
                 "seconds", "pairs/s"), rows)


def fresh(tmp: Path) -> Path:
    """A new empty folder for one run (the seed skips scenes whose folder exists)."""
    return Path(tempfile.mkdtemp(dir=tmp))


def _ratio(base: float, value: float) -> str:
    return f"{base / value:.1f}" if value else "∞"


if __name__ == "__main__":
    main()
