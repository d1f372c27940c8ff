"""The writes of ``seaice mask`` and ``seaice fill`` into a grid cube (the writer's part).

The land mask and NaN frequency are (y, x) arrays replaced whole; the filled
arrays are written in whole time and row chunks, then their progress committed
(``fill`` in the root), so a fill stopped anywhere resumes from its last commit.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import zarr

from swathkit.stores import cube_schema as cs
from swathkit.stores.cube_commit import CubeCommitter
from swathkit.stores.location import quiet_zarr


class CubeExtrasWriter(CubeCommitter):
    """Mask and fill writes (base of :class:`~swathkit.stores.grid_cube_writer.GridCubeWriter`)."""

    def write_mask(self, land: np.ndarray, frequency: np.ndarray, *,
                   info: dict[str, Any]) -> None:
        """Store the binary land mask, the NaN frequency map and their parameters."""
        index = self._require()
        mapping = index.grid.grid_mapping_name
        if index.mask is not None:  # the old mask stops counting before it is overwritten
            index = replace(index, mask=None, commits=index.commits + 1)
            self._commit(index)
        spec: dict[str, tuple[np.ndarray, str, Any, dict[str, Any]]] = {
            "land_mask": (land.astype(np.uint8), "uint8", 0, {
                "long_name": "land (1) from NaN frequency", "flag_values": [0, 1],
                "flag_meanings": "not_land land", "grid_mapping": mapping}),
            "nan_frequency": (frequency.astype(np.float32), "float32", np.nan, {
                "long_name": "share of days with no concentration", "units": "1",
                "grid_mapping": mapping})}
        group = zarr.open_group(self._store, mode="a", zarr_format=3, use_consolidated=False)
        space = index.space_chunk
        for name, (values, dtype, fill, attrs) in spec.items():
            with quiet_zarr():
                if name not in self._optional:
                    group.create_array(name, shape=index.grid.shape, chunks=space, dtype=dtype,
                                       fill_value=fill, dimension_names=("y", "x"),
                                       attributes=attrs, **cs.data_codecs())
                    self._optional.add(name)
                self._array(name)[...] = values
        self._commit(replace(index, mask=info, commits=index.commits + 1))

    def start_fill(self, info: dict[str, Any]) -> None:
        """Create the filled arrays if needed and commit the fill state (``done`` days)."""
        index = self._require()
        if "sic_filled" not in self._optional:
            group = zarr.open_group(self._store, mode="a", zarr_format=3,
                                    use_consolidated=False)
            shape = (index.length, *index.grid.shape)
            with quiet_zarr():
                group.create_array("sic_filled", shape=shape, chunks=index.chunks,
                                   dtype="float32", fill_value=np.nan,
                                   dimension_names=("time", "y", "x"),
                                   attributes=cs.sic_attrs("gap-filled sea-ice concentration",
                                                           index.grid),
                                   **cs.data_codecs())
                group.create_array("fill_flag", shape=shape, chunks=index.chunks,
                                   dtype="uint8", fill_value=cs.FLAG_NOT_COMPUTED,
                                   dimension_names=("time", "y", "x"),
                                   attributes=cs.flag_attrs(index.grid), **cs.data_codecs())
            self._optional.update(("sic_filled", "fill_flag"))
        self._commit(replace(index, fill=info, commits=index.commits + 1))

    def write_filled(self, start: int, filled: np.ndarray, flags: np.ndarray, *,
                     row: int = 0) -> None:
        """Write a piece of the filled arrays at time ``start`` and row ``row`` (no commit).

        Pieces start on time- and row-chunk boundaries so committed chunks are never
        rewritten; commit the progress with :meth:`commit_fill` once a block is whole.
        """
        index = self._require()
        if start % index.time_chunk or row % index.space_chunk[0]:
            raise ValueError(f"filled pieces start on multiples of {index.time_chunk} days "
                             f"and {index.space_chunk[0]} rows")
        stop, row_stop = start + filled.shape[0], row + filled.shape[1]
        self._array("sic_filled")[start:stop, row:row_stop] = filled
        self._array("fill_flag")[start:stop, row:row_stop] = flags

    def commit_fill(self, info: dict[str, Any]) -> None:
        """Commit the fill state (options, progress) after its pieces are written."""
        index = self._require()
        self._commit(replace(index, fill=info, commits=index.commits + 1))
