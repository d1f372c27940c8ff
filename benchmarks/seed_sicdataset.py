"""Baseline for the DataLoader benchmark: the seed's ``ConsolidatedSICDataset`` read path.

The seed consolidates the gap-filled days into one NetCDF (``xarray.Dataset.to_netcdf``
with default encoding: variable ``sea_ice_conc`` (time, y, x) float32, ``time`` as
integer YYYYMMDD) and serves (inputs, targets) with the same sliding-window indices as
swathkit. Per item it opens the file with xarray, selects the input days and the target
days with ``isel`` and takes ``.values``, adds a channel axis and returns float tensors
(T, 1, H, W). The seed keeps one open handle in ``__init__``; opening per item is what
it must do to be safe in ``DataLoader`` workers (an HDF5 handle does not survive a fork),
and what the issue asks the baseline to do. Missing values are returned as they are.

Written from the seed's description for this benchmark only; not part of swathkit.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import torch
import xarray as xr
from torch.utils.data import Dataset


def write_consolidated(path: Path, days: list[date], fields: np.ndarray) -> None:
    """The seed's consolidated file: ``sea_ice_conc`` (time, y, x) float32, time YYYYMMDD."""
    times = np.array([int(d.strftime("%Y%m%d")) for d in days], dtype=np.int64)
    ds = xr.Dataset({"sea_ice_conc": (("time", "y", "x"), fields.astype(np.float32))},
                    coords={"time": times})
    tmp = path.with_suffix(".part")
    ds.to_netcdf(tmp)
    tmp.replace(path)


class SeedSICDataset(Dataset):
    """Sliding-window samples over the consolidated file, read as the seed reads them."""

    def __init__(self, path: Path, start: date, end: date, *, input_length: int = 5,
                 pred_length: int = 3, input_gap: int = 1, pred_shift: int = 1,
                 pred_gap: int = 1, samples_gap: int = 1,
                 region: tuple[int, int, int, int] | None = None) -> None:
        self.path = str(path)
        # the seed reads whole frames; a crop (y0, y1, x0, x1) is added as xarray would do it
        self.crop = ({} if region is None else
                     {"y": slice(region[0], region[1]), "x": slice(region[2], region[3])})
        with xr.open_dataset(self.path) as ds:
            available = set(ds["time"].values.tolist())
        requested = [start + timedelta(days=k) for k in range((end - start).days + 1)]
        self.times = [int(d.strftime("%Y%m%d")) for d in requested]
        input_span = input_gap * (input_length - 1) + 1
        pred_span = pred_gap * (pred_length - 1) + 1
        total = input_span + pred_shift + pred_span - 1
        self.samples = []
        for i in range(0, len(self.times) - total + 1, samples_gap):
            inputs = [self.times[k] for k in i + np.arange(0, input_span, input_gap)]
            targets = [self.times[k] for k in
                       i + input_span + pred_shift - 1 + np.arange(0, pred_span, pred_gap)]
            if all(t in available for t in inputs + targets):
                self.samples.append((inputs, targets))

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        inputs, targets = self.samples[index]
        with xr.open_dataset(self.path) as ds:
            available = ds["time"].values
            var = ds["sea_ice_conc"].isel(**self.crop)
            x = var.isel(time=np.searchsorted(available, inputs)).values
            y = var.isel(time=np.searchsorted(available, targets)).values
        return (torch.from_numpy(x[:, np.newaxis]).float(),
                torch.from_numpy(y[:, np.newaxis]).float())
