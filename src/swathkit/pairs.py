"""ALOS PALSAR RTC × USGS DSWE pairs: join footprints, score overlaps, keep a pair table.

The public face of the pairs domain; ``from swathkit.pairs import join`` stays valid
however the modules behind it move. Importing it is cheap: each name loads its home
module on first use (geopandas and pyarrow, the ``[pairs]`` extra, only for
``PairTable``; matplotlib, the ``[plot]`` extra, only for ``plot_pair``).

Example:
    >>> from swathkit.pairs import score_files
    >>> result = score_files(["LT05_CU_019013_20080224_20200101_02_INWAM.TIF"],
    ...                      "POLYGON((-90.6 30.1, -89.9 30, -89.8 30.6, -90.5 30.7, "
    ...                      "-90.6 30.1))")  # doctest: +SKIP
    >>> result.score.decision  # doctest: +SKIP
    'keep'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "Candidate",
    "CmrCatalog",
    "DsweFootprint",
    "ErsAuth",
    "FileScore",
    "HttpClient",
    "Merged",
    "OverlapScore",
    "PairFacts",
    "PairRow",
    "PairTable",
    "Query",
    "RangeOpener",
    "SarFootprint",
    "ScoreRules",
    "StacCatalog",
    "datapool_files",
    "download_pairs",
    "join",
    "pairs_status",
    "parse_aoi",
    "parse_footprint",
    "plot_pair",
    "read_merged",
    "score",
    "score_files",
    "score_pairs",
    "search_pairs",
]

if TYPE_CHECKING:
    from swathkit.archives.cmr import CmrCatalog
    from swathkit.archives.earthdata import datapool_files
    from swathkit.archives.ers import ErsAuth
    from swathkit.archives.http import HttpClient
    from swathkit.archives.http_range import RangeOpener
    from swathkit.archives.stac import StacCatalog
    from swathkit.jobs.pairs.aoi import parse_aoi
    from swathkit.jobs.pairs.download import download_pairs
    from swathkit.jobs.pairs.score import score_pairs
    from swathkit.jobs.pairs.score_files import FileScore, parse_footprint, score_files
    from swathkit.jobs.pairs.search import search_pairs
    from swathkit.jobs.pairs.status import pairs_status
    from swathkit.plot.pairs import PairFacts, plot_pair
    from swathkit.process.coincidence import Candidate, DsweFootprint, SarFootprint, join
    from swathkit.process.overlap import OverlapScore, ScoreRules, score
    from swathkit.products.dswe.window import Merged, read_merged
    from swathkit.stores.pair_table import PairRow, PairTable
    from swathkit.types import Query
else:
    from swathkit._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, {
        "Candidate": "swathkit.process.coincidence",
        "CmrCatalog": "swathkit.archives.cmr",
        "DsweFootprint": "swathkit.process.coincidence",
        "ErsAuth": "swathkit.archives.ers",
        "FileScore": "swathkit.jobs.pairs.score_files",
        "HttpClient": "swathkit.archives.http",
        "Merged": "swathkit.products.dswe.window",
        "OverlapScore": "swathkit.process.overlap",
        "PairFacts": "swathkit.plot.pairs",
        "PairRow": "swathkit.stores.pair_table",
        "PairTable": "swathkit.stores.pair_table",
        "Query": "swathkit.types",
        "RangeOpener": "swathkit.archives.http_range",
        "SarFootprint": "swathkit.process.coincidence",
        "ScoreRules": "swathkit.process.overlap",
        "StacCatalog": "swathkit.archives.stac",
        "datapool_files": "swathkit.archives.earthdata",
        "download_pairs": "swathkit.jobs.pairs.download",
        "join": "swathkit.process.coincidence",
        "pairs_status": "swathkit.jobs.pairs.status",
        "parse_aoi": "swathkit.jobs.pairs.aoi",
        "parse_footprint": "swathkit.jobs.pairs.score_files",
        "plot_pair": "swathkit.plot.pairs",
        "read_merged": "swathkit.products.dswe.window",
        "score": "swathkit.process.overlap",
        "score_files": "swathkit.jobs.pairs.score_files",
        "score_pairs": "swathkit.jobs.pairs.score",
        "search_pairs": "swathkit.jobs.pairs.search",
    })
