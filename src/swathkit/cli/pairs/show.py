"""``swathkit pairs show``: the picture of a downloaded pair (HH with the DSWE water over it)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from swathkit.cli import render
from swathkit.errors import InputError

if TYPE_CHECKING:  # imported by run() (fast --help)
    from datetime import date
    from pathlib import Path

    from shapely.geometry.base import BaseGeometry

    from swathkit.plot.pairs import PairFacts
    from swathkit.products.alos_rtc.scene import RtcScene
    from swathkit.stores.pair_table import PairRow

Picked = tuple["BaseGeometry", "PairFacts", "list[Path]"]


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "show", help="draw a downloaded pair: the HH scene with the DSWE water over it",
        description="Draw one downloaded pair as a PNG. SCENE_DIR is the folder 'pairs "
        "download' leaves: the extracted RTC product (<stem>_HH.tif, _HV.tif, .iso.xml …) "
        "with the pair's DSWE INWAM tiles in usgs_dswe/. The picture is the HH γ⁰ in dB "
        "in the scene's own UTM grid (axes in km), the DSWE classes warped onto it (water "
        "in blues, wetland in teal, cloud dotted, no DSWE data hatched), the SAR footprint "
        "in orange and the HV beside it; the title gives the DSWE date, Δt and the valid "
        "and water fractions. With --table those facts and the footprint come from the "
        "pair's row; without, the footprint comes from the scene's .iso.xml and the "
        "fractions are measured on the tiles.",
        epilog="examples:\n  swathkit pairs show scenes/AP_13392_FBD_F0680_RT1\n"
        "  swathkit pairs show scenes/AP_13392_FBD_F0680_RT1 --table pairs.parquet "
        "--out pair.png --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scene_dir", metavar="SCENE_DIR",
                   help="an extracted RTC scene folder, like scenes/AP_13392_FBD_F0680_RT1")
    p.add_argument("--table", metavar="PAIRS.parquet",
                   help="the pair table: footprint, Δt and fractions from the scene's row")
    p.add_argument("--out", metavar="PNG",
                   help="the picture to write (default: <SCENE_DIR>.png beside the folder, "
                   "which stays exactly the extracted product)")
    p.add_argument("--no-hv", action="store_true", help="draw the HH only")
    render.add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from swathkit.plot.pairs import plot_pair
    from swathkit.products.alos_rtc.scene import DSWE_FOLDER, open_scene

    scene = open_scene(args.scene_dir)
    tiles = scene.dswe_tiles()
    if not tiles:
        raise InputError(f"{scene.folder / DSWE_FOLDER}: no DSWE tiles (*_INWAM.TIF); "
                         "download the pair with 'swathkit pairs download' first")
    footprint, facts, tiles = (_from_table(args.table, scene, tiles) if args.table
                               else _measured(scene, tiles))
    out = Path(args.out) if args.out else scene.folder.parent / f"{scene.name.stem}.png"
    png = plot_pair(scene.folder, tiles, footprint, out, facts=facts, hv=not args.no_hv)
    names = [t.name for t in tiles]
    doc = {"png": str(png), "scene": facts.scene, "tiles": names,
           "dswe_date": facts.dswe_date.isoformat() if facts.dswe_date else None,
           "dt_seconds": facts.dt_seconds, "valid_fraction": facts.valid_fraction,
           "water_fraction": facts.water_fraction, "decision": facts.decision or None}
    if args.json:
        sys.stdout.write(json.dumps(doc, sort_keys=True) + "\n")
    else:
        render.facts(f"pairs show {scene.name.stem}", [
            ("picture", str(png)), ("DSWE tiles", ", ".join(names)),
            ("facts from", args.table or "the tiles (no --table)"),
            ("valid / water", _fractions(facts))])
    return 0


def _from_table(table: str, scene: RtcScene, tiles: list[Path]) -> Picked:
    """The scene's row (the one whose tiles are here) and those of its tiles present."""
    from pathlib import Path

    from swathkit.stores.pair_table import PairTable

    if not Path(table).is_file():
        raise InputError(f"{table}: no such pair table; give the one 'pairs search' wrote, "
                         "or leave --table out to measure on the tiles")
    rows = [r for r in PairTable(table).rows() if r.candidate.sar_name == scene.name.stem]
    if not rows:
        raise InputError(f"{table}: no row for {scene.name.stem}; give the table this pair "
                         "was downloaded from, or leave --table out")
    present = {_tile_key(t): t for t in tiles}
    row = max(rows, key=lambda r: (sum(_tile_key(i) in present for i in r.candidate.dswe_ids),
                                   _kept(r), r.candidate.dswe_date))
    chosen = [present[k] for k in map(_tile_key, row.candidate.dswe_ids) if k in present]
    if not chosen:
        raise InputError(f"{tiles[0].parent}: none of the row's tiles "
                         f"({', '.join(row.candidate.dswe_ids)}); download the pair again")
    return row.candidate.sar_polygon, _row_facts(row), chosen


def _measured(scene: RtcScene, tiles: list[Path]) -> Picked:
    """Footprint from the scene, the tiles of the date nearest the SAR, fractions counted."""
    from swathkit.jobs.pairs.score_files import score_files
    from swathkit.plot.pairs import PairFacts
    from swathkit.products.alos_rtc.scene import read_iso, scene_footprint

    footprint = scene_footprint(scene)
    begin = read_iso(scene.iso_xml).begin if scene.iso_xml.is_file() else None
    days = {t: _acquired(t) for t in tiles}
    day = min(set(days.values()), key=lambda d: (abs((d - begin.date()).days) if begin else 0,
                                                 d))
    chosen = [t for t in tiles if days[t] == day]
    result = score_files([str(t) for t in chosen], footprint).score
    return footprint, PairFacts(scene.name.stem, begin, day, None, result.valid_fraction,
                                result.water_fraction, result.within,
                                result.decision), chosen


def _row_facts(row: PairRow) -> PairFacts:
    from swathkit.plot.pairs import PairFacts

    c, s = row.candidate, row.score
    return PairFacts(c.sar_name, c.sar_time, c.dswe_date, c.dt_seconds,
                     s.valid_fraction if s else None, s.water_fraction if s else None,
                     s.within if s else "footprint",
                     s.decision if s else (f"failed: {row.failure}" if row.failure else ""))


def _kept(row: PairRow) -> bool:
    return row.score is not None and row.score.decision == "keep"


def _tile_key(name: str | Path) -> str:
    """The tile id of an item id (``…_DSWE``) or a file (``…_INWAM.TIF``); else the name."""
    from swathkit.errors import FileNameError
    from swathkit.products.dswe.names import TileId

    text = name if isinstance(name, str) else name.name
    try:
        return str(TileId.parse(text))
    except FileNameError:
        return text


def _acquired(path: Path) -> date:
    from swathkit.errors import FileNameError
    from swathkit.products.dswe.names import TileId

    try:
        return TileId.parse(path.name).acquired
    except FileNameError as exc:
        raise InputError(f"{path}: {exc}; name DSWE tiles as LandsatLook does "
                         "(<TILEID>_INWAM.TIF)") from None


def _fractions(facts: PairFacts) -> str:
    if facts.valid_fraction is None or facts.water_fraction is None:
        return "not scored"
    return (f"{facts.valid_fraction:.1%} / {facts.water_fraction:.1%} inside the "
            f"{facts.within}" + (f" ({facts.decision})" if facts.decision else ""))

