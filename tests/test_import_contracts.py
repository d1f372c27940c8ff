"""Imports point one way (docs/ARCHITECTURE.md), as the import-linter contracts in
pyproject.toml say: the real tree keeps them, and each one breaks on a forbidden import."""

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "swathkit"
CONFIG = ROOT / "pyproject.toml"
CONTRACTS = {c["id"]: c["name"] for c in
             tomllib.loads(CONFIG.read_text())["tool"]["importlinter"]["contracts"]}

# (contract, module file under src/swathkit, forbidden import, the chain the report names)
INJECTIONS = [
    ("pipeline-layers", "stores/verify.py", "import swathkit.jobs.swaths.ingest",
     "swathkit.stores.verify -> swathkit.jobs.swaths.ingest"),
    ("pipeline-layers", "products/asi/names.py", "import swathkit.seaice",
     "swathkit.products.asi.names -> swathkit.seaice"),
    ("fetch-layers", "transfer/pool.py", "import swathkit.archives.base",
     "swathkit.transfer.pool -> swathkit.archives.base"),
    ("fetch-layers", "ledger.py", "from swathkit.archives import gportal",
     "swathkit.ledger -> swathkit.archives.gportal"),
    ("offline-layers", "ml/seaice/splits.py", "import swathkit.transfer.retry",
     "swathkit.ml.seaice.splits -> swathkit.transfer.retry"),
    ("products-offline", "products/asi/reader.py", "import socket",
     "swathkit.products.asi.reader -> socket"),
    ("process-pure", "process/qc.py", "import swathkit.archives.http",
     "swathkit.process.qc -> swathkit.archives.http"),
    ("process-pure", "process/landmask.py", "import h5py",
     "swathkit.process.landmask -> h5py"),
    ("no-sim", "stores/export.py", "import swathkit.sim",
     "swathkit.stores.export -> swathkit.sim"),
    ("jobs-domains", "jobs/swaths/ingest.py", "from swathkit.jobs.seaice import fill",
     "swathkit.jobs.swaths.ingest -> swathkit.jobs.seaice.fill"),
    ("cli-domains", "cli/seaice/plot.py", "import swathkit.cli.swaths.export",
     "swathkit.cli.seaice.plot -> swathkit.cli.swaths.export"),
    ("sim-domains", "sim/gportal/catalog.py", "import swathkit.sim.bremen.http",
     "swathkit.sim.gportal.catalog -> swathkit.sim.bremen.http"),
    ("product-domains", "products/amsr2/names.py", "import swathkit.products.asi.names",
     "swathkit.products.amsr2.names -> swathkit.products.asi.names"),
]


def lint_imports(src_root: Path, contract: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``lint-imports`` on one contract of our config, for the package under ``src_root``."""
    exe = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(src_root), "COLUMNS": "500"}
    return subprocess.run([str(exe), "--no-cache", "--no-logo", "--contract", contract,
                           str(CONFIG)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("contract", list(CONTRACTS))
def test_the_tree_keeps_the_contract(contract, tmp_path):
    result = lint_imports(SRC.parent, contract, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{CONTRACTS[contract]} KEPT" in result.stdout


@pytest.mark.parametrize(("contract", "module", "line", "chain"), INJECTIONS,
                         ids=[f"{c}:{m}" for c, m, _, _ in INJECTIONS])
def test_a_forbidden_import_breaks_the_contract(contract, module, line, chain, tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(SRC, copy / "swathkit", ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "swathkit" / module
    target.write_text(target.read_text() + f"\n{line}\n")
    result = lint_imports(copy, contract, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CONTRACTS[contract]} BROKEN" in result.stdout
    assert chain in result.stdout  # the injected import, not a violation already there


def test_every_contract_has_a_violation_it_catches():
    assert {contract for contract, *_ in INJECTIONS} == set(CONTRACTS)


# What import contracts cannot see: a builtin or method call that reads or writes files.
IO_CALLS = {"open", "save", "savez", "savez_compressed", "to_netcdf", "to_zarr", "tofile",
            "fromfile", "read_text", "write_text", "read_bytes", "write_bytes"}


def _io_calls(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            if name in IO_CALLS or name.startswith("open_"):
                found.append((node.lineno, name))
    return [f"{line}: {name}" for line, name in sorted(found)]


def test_process_opens_no_files():
    found = {str(path.relative_to(SRC)): _io_calls(path.read_text())
             for path in sorted((SRC / "process").rglob("*.py"))}
    assert {path: calls for path, calls in found.items() if calls} == {}


def test_file_io_calls_are_recognised():
    source = "with open(p) as f:\n    ds = xr.open_dataset(f)\nds.to_zarr(s)\nds.load()\n"
    assert _io_calls(source) == ["1: open", "2: open_dataset", "3: to_zarr"]
