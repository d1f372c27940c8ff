"""``swathkit <verb> --help`` stays fast: building a parser imports no heavy module.

Checked on what a fresh interpreter has imported after printing the help, not on
time: numpy, xarray, rich, the jobs and the stores are for the run functions.
"""

import json
import subprocess
import sys

import pytest

from swathkit.cli import options

HEAVY = ("numpy", "xarray", "zarr", "h5py", "pandas", "dask", "rich", "matplotlib", "torch",
         "paramiko", "netCDF4", "pyproj", "numba", "requests", "swathkit.jobs",
         "swathkit.stores", "swathkit.products", "swathkit.archives", "swathkit.transfer",
         "swathkit.sim.gportal", "swathkit.sim.bremen")

HELP = [[], ["demo"], ["collect"], ["status"], ["ingest"], ["inspect"], ["verify"],
        ["export"], ["seaice"], ["seaice", "download"], ["seaice", "consolidate"],
        ["seaice", "mask"], ["seaice", "fill"], ["seaice", "report"], ["seaice", "plot"],
        ["seaice", "plot", "day"], ["seaice", "plot", "mask"], ["seaice", "plot", "compare"],
        ["sim"], ["sim", "generate"], ["sim", "serve"], ["seasat"], ["seasat", "clean"],
        ["pairs", "search"], ["pairs", "score"], ["pairs", "status"], ["pairs", "export"]]

PROBE = """
import contextlib, io, json, sys
from swathkit.cli.main import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main(sys.argv[1:] + ["--help"])
    except SystemExit as done:
        code = done.code
heavy = sorted(name for name in sys.modules if name.split(".")[0] in HEAVY
               or any(name == h or name.startswith(h + ".") for h in HEAVY))
print(json.dumps({"code": code, "help": out.getvalue(), "heavy": heavy}))
"""


def _help_in_a_fresh_interpreter(argv):
    code = f"HEAVY = {HEAVY!r}\n{PROBE}"
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("argv", HELP, ids=lambda argv: " ".join(argv) or "swathkit")
def test_help_imports_no_heavy_module(argv):
    result = _help_in_a_fresh_interpreter(argv)
    assert result["code"] == 0 and "usage: swathkit" in result["help"]
    assert result["heavy"] == []


def test_the_probe_sees_what_was_imported():
    code = f"HEAVY = ('argparse', 'swathkit.cli')\n{PROBE}"
    done = subprocess.run([sys.executable, "-c", code, "inspect"], capture_output=True,
                          text=True, check=True)
    assert {"argparse", "swathkit.cli.inspect"} <= set(json.loads(done.stdout)["heavy"])


def test_the_parsers_constants_equal_their_sources():
    from swathkit.jobs.swaths.ingest import DEFAULT_BATCH
    from swathkit.process.gridding import METHODS
    from swathkit.products.asi.grids import ASI_GRIDS
    from swathkit.sim.faults import PRESETS
    from swathkit.stores.export import FORMATS

    assert tuple(ASI_GRIDS) == options.ASI_GRIDS
    assert tuple(PRESETS) == options.FAULT_PRESETS
    assert options.EXPORT_FORMATS == FORMATS
    assert options.DEFAULT_BATCH == DEFAULT_BATCH
    assert options.GRID_METHODS == METHODS
