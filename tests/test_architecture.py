"""Imports point one way (docs/ARCHITECTURE.md): checked on the source, with ast."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "swathkit"
NETWORK = {"socket", "http", "urllib", "requests", "httpx", "paramiko", "asyncssh", "ftplib",
           "swathkit.archives", "swathkit.transfer"}
IO = {"h5py", "zarr", "fsspec", "netCDF4", "swathkit.stores", "swathkit.products",
      "swathkit.sim"}
RULES = {
    "process": NETWORK | IO,
    "stores": {"swathkit.archives", "swathkit.transfer"},
    "ml": {"swathkit.archives", "swathkit.transfer"},
    "plot": {"swathkit.archives", "swathkit.transfer"},
    "products": NETWORK,
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _violations(part: str, forbidden: set[str]) -> list[str]:
    found = []
    for path in sorted((SRC / part).rglob("*.py")):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(SRC)} imports {name}")
    return found


@pytest.mark.parametrize("part", sorted(RULES))
def test_imports_point_one_way(part):
    assert _violations(part, RULES[part]) == []


def test_no_production_module_imports_sim():
    """The simulators are reached by name, through swathkit.archives.registry."""
    found = [f"{path.relative_to(SRC)} imports {name}"
             for path in sorted(SRC.rglob("*.py")) if path.relative_to(SRC).parts[0] != "sim"
             for name in _imports(path) if name == "swathkit.sim" or
             name.startswith("swathkit.sim.")]
    assert found == []


def test_process_does_no_file_io():
    for path in sorted((SRC / "process").rglob("*.py")):
        text = path.read_text()
        assert "open(" not in text.replace("np.open", ""), path


def test_rules_would_catch_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import swathkit.transfer.pool\n")
    assert "swathkit.transfer.pool" in _imports(bad)


def test_package_import_is_light():
    import subprocess
    import sys

    code = ("import sys, swathkit; heavy = {'torch', 'matplotlib', 'h5py', 'zarr', 'dask'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
