"""Quicklook PNG of one stored swath (needs the ``[plot]`` extra)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from swathkit.errors import StoreError
from swathkit.products.amsr2.channels import channel as lookup_channel
from swathkit.stores.swath_store import SwathStore


def store_quicklook(store: str, out: Path, *, granule: str | None = None,
                    channel: str | None = None) -> Path:
    """Draw one granule's channel on a map with coastlines and return the PNG path."""
    from swathkit.plot import quicklook_swath

    sw = SwathStore.open(store)
    if not sw.layout.coords:
        raise StoreError(f"{store} keeps no lat/lon, so a swath cannot be mapped; "
                         "ingest or collect with --coords")
    if not len(sw):
        raise StoreError(f"{store} holds no granule yet")
    gid = granule or sw.granule_ids[0]
    ch = lookup_channel(channel or sw.layout.channels[0])
    if ch.name not in sw.layout.channels:
        raise StoreError(f"{store} keeps {','.join(sw.layout.channels)}, not {ch.name}")
    ds = sw.read_swath(gid)
    band = ch.band.lower()
    tb = np.asarray(ds[ch.variable].values, dtype=np.float32)
    return quicklook_swath(tb, ds[f"lat_{band}"].values, ds[f"lon_{band}"].values, out,
                           title=f"{gid}  {ch.name}", units="K")
