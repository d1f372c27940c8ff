"""The public API: ``swathkit`` and its domain facades list literal, sorted names that load
lazily as the very objects of their home modules; importing them is cheap; the README
imports nothing else."""

import ast
import importlib
import inspect
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import swathkit.transfer

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
FACADES = ("swathkit", "swathkit.swaths", "swathkit.seaice", "swathkit.seasat",
           "swathkit.pairs", "swathkit.smap")
HEAVY = ("torch", "matplotlib", "zarr", "h5py", "numba", "dask", "xarray", "netCDF4")
EXPECTED = {
    "swathkit": {"Granule", "GridCube", "InputError", "Query", "SwathStore", "SwathkitError",
                 "__version__", "export", "ingest", "inspect", "open_asi", "open_cube",
                 "open_l1b", "open_swaths", "verify"},
    "swathkit.swaths": {"Archive", "Granule", "Query", "SwathStore", "collect", "compact",
                        "export", "footprint_latlon", "gportal_archive", "grid", "ingest",
                        "open_l1b",
                        "open_swaths", "parse_channels", "verify"},
    "swathkit.seaice": {"ASI_GRIDS", "FillOptions", "Grid", "GridCube", "Region",
                        "SeaIceSequenceDataset", "TBCube", "asi_grid", "build_mask",
                        "consolidate",
                        "download_asi", "fill", "fill_gaps", "grid", "open_asi", "open_cube",
                        "roi_map", "roi_report", "time_splits"},
    "swathkit.seasat": {"DecodeCounts", "HDR_COLUMNS", "MS_PER_LINE", "Reason", "SeriesRepair",
                        "TelemetryDecoder", "TrendParams", "clean", "decode", "plot_repair",
                        "read_hdr", "repair_series", "rolling_mode", "write_hdr"},
    "swathkit.pairs": {"CmrCatalog", "ErsAuth", "HttpClient", "Query", "StacCatalog",
                       "datapool_files", "Candidate", "DsweFootprint", "FileScore", "Merged",
                       "OverlapScore",
                       "PairRow", "PairTable", "SarFootprint", "ScoreRules", "join",
                       "parse_footprint", "read_merged", "score", "score_files",
                       "RangeOpener", "pairs_status", "parse_aoi", "score_pairs",
                       "search_pairs", "download_pairs", "PairFacts", "plot_pair"},
    "swathkit.smap": {"SMAP_PRODUCTS", "SmapName", "SmapProduct", "open", "open_smap",
                      "parse_smap_name", "smap_product"},
}


def _source(module: str) -> ast.Module:
    path = SRC.joinpath(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return ast.parse(path.read_text())


def _binds_all(node: ast.stmt) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)


def _literal_all(tree: ast.Module) -> list[str]:
    """``__all__`` as written: one assignment of a list of strings, never extended."""
    bindings = [node for node in tree.body if _binds_all(node)]
    assert len(bindings) == 1 and isinstance(bindings[0], ast.Assign)
    value = bindings[0].value
    assert isinstance(value, ast.List)
    assert all(isinstance(item, ast.Constant) and isinstance(item.value, str)
               for item in value.elts)
    return [item.value for item in value.elts]


def _typed_imports(tree: ast.Module) -> dict[str, str]:
    """Name → home module, from the ``if TYPE_CHECKING:`` block type checkers read."""
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and ast.unparse(node.test) == "TYPE_CHECKING")
    return {alias.name: node.module for node in block.body
            if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then the rest (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("module", FACADES)
def test_all_is_a_sorted_literal_of_the_expected_names(module):
    names = _literal_all(_source(module))
    assert names == sorted(names, key=_isort_key)
    assert set(names) == EXPECTED[module]
    assert importlib.import_module(module).__all__ == names


@pytest.mark.parametrize("module", FACADES)
def test_type_checkers_see_every_name(module):
    typed = set(_typed_imports(_source(module)))
    assert typed == EXPECTED[module] - {"__version__"}


@pytest.mark.parametrize("module", FACADES)
def test_each_name_is_the_object_of_its_home_module(module):
    facade = importlib.import_module(module)
    for name, home in _typed_imports(_source(module)).items():
        assert getattr(facade, name) is getattr(importlib.import_module(home), name), name


@pytest.mark.parametrize("module", FACADES)
def test_dir_lists_the_lazy_names_and_unknown_names_raise(module):
    facade = importlib.import_module(module)
    assert set(facade.__all__) <= set(dir(facade))
    with pytest.raises(AttributeError, match=f"{module}.*no_such_name"):
        _ = facade.no_such_name


def test_the_package_and_the_facades_export_the_same_objects():
    shared = 0
    for module in FACADES[1:]:
        facade = importlib.import_module(module)
        for name in set(facade.__all__) & set(swathkit.__all__):
            assert getattr(facade, name) is getattr(swathkit, name), name
            shared += 1
    assert shared > 0


def _loaded_after(code: str) -> list[str]:
    """The heavy packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"import sys\n{code}\nprint(sorted(set({HEAVY!r}) & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=300)
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def test_importing_the_package_and_facades_loads_nothing_heavy():
    assert _loaded_after("import swathkit, swathkit.swaths, swathkit.seaice, swathkit.smap") == []


def test_sea_ice_jobs_load_without_the_ml_and_plot_extras():
    names = set(EXPECTED["swathkit.seaice"]) - {"SeaIceSequenceDataset", "time_splits"}
    loaded = _loaded_after(f"import swathkit.seaice as s\nfor n in {sorted(names)!r}: "
                           "getattr(s, n)")
    assert "torch" not in loaded and "matplotlib" not in loaded


def test_other_public_modules_resolve_their_names():
    for name in swathkit.transfer.__all__:
        assert getattr(swathkit.transfer, name) is not None


def test_the_type_marker_is_shipped():
    assert (SRC / "swathkit" / "py.typed").is_file()
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py.typed" in setuptools["package-data"]["swathkit"]


def _readme_python() -> list[ast.Module]:
    text = (ROOT / "README.md").read_text()
    return [ast.parse(block) for block in re.findall(r"```python\n(.*?)```", text, re.S)]


def test_the_readme_shows_python_examples():
    assert len(_readme_python()) >= 2


def test_the_readme_imports_only_the_public_api():
    for tree in _readme_python():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert [a.name for a in node.names if a.name.startswith("swathkit")] in (
                    [], ["swathkit"]), ast.unparse(node)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("swathkit"):
                assert node.module in FACADES, ast.unparse(node)
                public = importlib.import_module(node.module).__all__
                assert {a.name for a in node.names} <= set(public), ast.unparse(node)
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id == "swathkit"):
                assert node.attr in swathkit.__all__, ast.unparse(node)


def _public_callee(node: ast.Call, imported: dict[str, object]) -> object | None:
    func = node.func
    if isinstance(func, ast.Name):
        return imported.get(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        owner = imported.get(func.value.id)
        return getattr(owner, func.attr, None) if owner is not None else None
    return None


def test_the_readme_calls_match_the_signatures():
    checked = 0
    for tree in _readme_python():
        imported: dict[str, object] = {"swathkit": swathkit}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in FACADES:
                facade = importlib.import_module(node.module)
                imported |= {a.name: getattr(facade, a.name) for a in node.names}
        for node in ast.walk(tree):
            callee = _public_callee(node, imported) if isinstance(node, ast.Call) else None
            if callable(callee) and not isinstance(callee, type(swathkit)):
                args = [None] * len(node.args)
                inspect.signature(callee).bind(*args, **{k.arg: None for k in node.keywords})
                checked += 1
    assert checked >= 10
