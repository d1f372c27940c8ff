"""Small hand-made grids and fields for the grid cube tests (not the real 4 ASI grids)."""

from datetime import date, timedelta

import numpy as np

from swathkit.products.grids import Grid

# 40 rows × 30 columns of 6.25 km on the NSIDC north plane, row 0 at the south (as ASI)
TINY = Grid("t40", 3413, (40, 30), (-93_750.0, 6250.0, 0.0, -125_000.0, 0.0, 6250.0))


def field(day: date, *, offset: float = 0.0, shape=(40, 30)) -> np.ndarray:
    """A deterministic concentration field with NaN holes that vary by day."""
    rng = np.random.default_rng(day.toordinal())
    values = (rng.random(shape, dtype=np.float32) * 100 + offset).astype(np.float32)
    values[rng.random(shape) < 0.1] = np.nan
    return values


def fields(start: date, n: int, **kw) -> dict[date, np.ndarray]:
    return {start + timedelta(days=i): field(start + timedelta(days=i), **kw) for i in range(n)}


def to_schema2(path) -> None:
    """Rewrite a local cube in the layout of schema 2: every day record in the root.

    What swathkit wrote before schema 3 (no ``_days`` documents, no ``day_state``).
    """
    import json
    import shutil

    from swathkit.stores.grid_cube import GridCube

    records = dict(GridCube.open(path).index.days.items())
    root = json.loads((path / "zarr.json").read_text())
    info = root["attributes"]["swathkit"]
    info["schema"] = 2
    del info["last"]
    info["days"] = {d.isoformat(): rec.to_json() for d, rec in sorted(records.items())}
    del root["consolidated_metadata"]["metadata"]["day_state"]
    (path / "zarr.json").write_text(json.dumps(root, indent=1, sort_keys=True))
    shutil.rmtree(path / "day_state")
    shutil.rmtree(path / "_days", ignore_errors=True)
