"""A seed-style AMSR2 collector, written from the seed's description (shared/seeds/000_*).

What the seed does, reproduced for comparison (never used by swathkit):
- a new SFTP connection for every file, in a ThreadPoolExecutor;
- download to a temporary folder, read 36.5H (and 89A lat/lon[:, ::2]) with h5py,
  delete the file;
- every swath kept in memory as a dict in a list until the end;
- at most 3 tries per file with a 5 s × 2^k backoff in the "slow" variant; none here
  (the default variant);
- one ``np.savez_compressed`` of the pickled list at the end.
"""

from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np
import paramiko


def _download(host: str, port: int, user: str, password: str, remote: str, tmp: Path) -> Path:
    transport = paramiko.Transport((host, port))  # a new connection for every file
    try:
        transport.connect(username=user, password=password)
        sftp = paramiko.SFTPClient.from_transport(transport)
        assert sftp is not None
        local = tmp / remote.rsplit("/", 1)[-1]
        sftp.get(remote, str(local))
        return local
    finally:
        transport.close()


def _extract(path: Path, coords: bool) -> dict:
    with h5py.File(path, "r") as h5:
        raw = h5["Brightness Temperature (36.5GHz,H)"][:]
        swath = {"temperature": raw, "metadata": {
            "orbit_type": path.stem.split("_")[2][-1], "scale_factor": 0.01,
            "temp_range": (int(raw.min()), int(raw.max())), "shape": raw.shape}}
        if coords:
            swath["latitude"] = h5["Latitude of Observation Point for 89A"][:, ::2]
            swath["longitude"] = h5["Longitude of Observation Point for 89A"][:, ::2]
    return swath


def collect_seed_style(host: str, port: int, user: str, password: str, remotes: list[str],
                       out: Path, *, workers: int = 4, coords: bool = True) -> tuple[int, int]:
    """Fetch and archive like the seed; returns (archived, lost)."""
    swaths: list[dict] = []
    lost = 0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)

        def one(remote: str) -> dict | None:
            try:
                path = _download(host, port, user, password, remote, tmp)
                swath = _extract(path, coords)
                path.unlink()
                return swath
            except Exception as exc:
                print(f"failed {remote}: {exc}", file=sys.stderr)
                return None

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for swath in pool.map(one, remotes):
                if swath is None:
                    lost += 1
                else:
                    swaths.append(swath)
    array = np.empty(len(swaths), dtype=object)
    array[:] = swaths
    np.savez_compressed(out, swath_array=array, period="benchmark")
    return len(swaths), lost
