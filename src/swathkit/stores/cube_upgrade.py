"""Bring a schema-1 or schema-2 grid cube (every day record in its root) to schema 3.

Done by the first writer that opens such a cube (one pass over its records, a
second or so at 5,000 days): the day documents and ``day_state`` are written
first, invisible to readers of the old root (its consolidated metadata does not
name ``day_state``, and it does not point at documents); then the root is
replaced by the schema-3 one, the single commit point. A writer stopped before
that leaves the old cube as it was, with some unreferenced keys the next
upgrade overwrites. Readers open both schemas, so nothing else has to change.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from zarr.abc.store import Store

from swathkit.stores.commit import check_writer, write_root
from swathkit.stores.cube_days import DAY_STATE, create_day_state, write_all_docs, write_states
from swathkit.stores.cube_schema import SCHEMA, CubeIndex
from swathkit.stores.location import StoreLocation

log = logging.getLogger(__name__)


def upgrade_cube(store: Store, location: StoreLocation, index: CubeIndex,
                 arrays: list[str]) -> None:
    """Write the records of ``index`` outside the root, then flip the root to schema 3.

    Args:
        store: The cube's store, opened for writing under its writer lock.
        location: For the log.
        index: The cube's index as read from its old root (every record in ``days``).
        arrays: The arrays the new root lists, ``day_state`` excluded.
    """
    records = dict(index.days.items())
    create_day_state(store, index.length)
    write_all_docs(store, index.origin, index.time_chunk, records)
    if records:
        write_states(store, index.origin, {d: rec.state for d, rec in records.items()})
    check_writer(store)
    write_root(store, replace(index, last={}, stored_schema=SCHEMA).to_attrs(),
               [*arrays, DAY_STATE])
    log.info("upgraded grid cube %s from schema %d to %d (%d day records moved out of the "
             "root)", location, index.stored_schema, SCHEMA, len(records))
