"""The cube's day index outside its root (schema 3): constant-size root, day documents,
day_state, the upgrade of schema-2 cubes, and the cost of opening and reading."""

import json
from datetime import date, timedelta

import numpy as np
import pytest
import xarray as xr
from grid_cube_helpers import TINY, field, fields, to_schema2
from store_counting import CountingLocation, is_chunk

from swathkit.stores import cube_upgrade
from swathkit.stores.cube_days import DAY_STATE, STATE_CODES
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.grid_cube_writer import cube_writer

D0 = date(2024, 3, 2)  # day 0 of a time chunk (19784 days since 1970)


def _build(path, n, *, not_published=()):
    with cube_writer(path, grid=TINY, space_chunk=16) as w:
        w.upsert_days(fields(D0, n))
        w.mark_not_published(list(not_published))


def _root(path):
    return json.loads((path / "zarr.json").read_text())


def _records(path):
    return dict(GridCube.open(path).index.days.items())


def test_the_root_holds_no_day_records_and_does_not_grow_with_the_cube(tmp_path):
    small, big = tmp_path / "small.zarr", tmp_path / "big.zarr"
    _build(small, 3)
    _build(big, 300, not_published=[D0 + timedelta(days=400)])
    info = _root(big)["attributes"]["swathkit"]
    assert info["schema"] == 3 and info["last"] == {} and "days" not in info
    assert info["length"] == 401
    sizes = [(p / "zarr.json").stat().st_size for p in (small, big)]
    assert abs(sizes[1] - sizes[0]) < 200  # only the numbers in it differ
    attrs = [len(json.dumps(xr.open_zarr(p, consolidated=True).attrs)) for p in (small, big)]
    assert attrs[0] < 1000 and abs(attrs[1] - attrs[0]) < 10  # commits and length
    cube = GridCube.open(big)
    assert cube.days == [D0 + timedelta(days=i) for i in range(300)]
    assert cube.not_published == [D0 + timedelta(days=400)]
    assert cube.index.days[D0 + timedelta(days=299)].digest  # read from its document


def test_records_live_in_one_document_per_time_chunk_and_in_day_state(tmp_path):
    path = tmp_path / "c.zarr"
    _build(path, 20, not_published=[D0 + timedelta(days=21)])
    docs = sorted((path / "_days").iterdir())
    assert [p.name for p in docs] == ["c000000.json", "c000001.json", "c000002.json"]
    for doc in docs:
        raw = doc.read_text()
        days = json.loads(raw)["days"]
        assert 0 < len(days) <= 8 and raw == json.dumps(json.loads(raw), sort_keys=True,
                                                        separators=(",", ":"))
    unpublished = json.loads(docs[2].read_text())["days"][str(D0 + timedelta(days=21))]
    assert unpublished["state"] == "not_published"
    ds = xr.open_zarr(path, consolidated=True)  # plain xarray shows the flags
    state = ds[DAY_STATE]
    assert state.dims == ("time",) and state.attrs["flag_meanings"].split() == list(STATE_CODES)
    expected = np.zeros(22, np.uint8)
    expected[:20], expected[21] = STATE_CODES["present"], STATE_CODES["not_published"]
    assert np.array_equal(state.values, expected)
    assert DAY_STATE not in GridCube.open(path).dataset()  # `present` says it, never stale


def test_the_same_writes_give_the_same_bytes(tmp_path):
    def build(path):
        with cube_writer(path, grid=TINY, space_chunk=16) as w:
            w.upsert_days(fields(D0, 5))
            w.upsert_days(fields(D0 + timedelta(days=5), 7))  # rewrites chunk 0's days
            w.mark_not_published([D0 + timedelta(days=30)])
        return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*")
                if p.is_file() and not p.name.startswith(".swathkit")}

    first, second = build(tmp_path / "a.zarr"), build(tmp_path / "b.zarr")
    assert first == second and "_days/c000003.json" in first


def test_opening_reads_the_root_only_and_a_day_reads_one_document(tmp_path):
    path = tmp_path / "c.zarr"
    _build(path, 40)
    loc = CountingLocation(str(path))
    cube = GridCube.open(loc)
    assert [k for _, k, _ in loc.taken()] == ["zarr.json"]
    assert cube.index.days[D0 + timedelta(days=33)].state == "present"
    assert [k for _, k, _ in loc.taken()] == ["_days/c000004.json"]
    assert len(cube.days) == 40
    assert [k for _, k, _ in loc.taken()] == ["day_state/c/0"]  # one 1024-day chunk
    cube.read_days([D0 + timedelta(days=7)])
    assert all(is_chunk(k) for _, k, _ in loc.taken())


def test_a_commit_writes_one_document_one_state_chunk_and_a_small_root(tmp_path):
    path = tmp_path / "c.zarr"
    _build(path, 200)
    loc = CountingLocation(str(path))
    with cube_writer(loc) as w:
        loc.taken()
        day = D0 + timedelta(days=200)
        w.upsert_days({day: field(day)})
        written = [(k, n) for op, k, n in loc.taken() if op == "set"]
    keys = [k for k, _ in written]
    assert [k for k in keys if k.startswith("_days/")] == ["_days/c000025.json"]
    assert [k for k in keys if k.startswith("day_state/c")] == ["day_state/c/0"]
    assert max(n for k, n in written if k == "zarr.json") < 12_000  # ~9 kB: array metadata
    assert GridCube.open(path).days[-1] == day


def test_records_spanning_chunks_are_committed_one_chunk_at_a_time(tmp_path, monkeypatch):
    path = tmp_path / "c.zarr"
    _build(path, 2)
    seen = []
    from swathkit.stores import cube_commit

    real = cube_commit.write_root

    def spy(store, attrs, arrays):
        seen.append(len(attrs["swathkit"]["last"]))
        real(store, attrs, arrays)

    monkeypatch.setattr(cube_commit, "write_root", spy)
    with cube_writer(path) as w:
        gone = [D0 + timedelta(days=i) for i in range(2, 40)]
        assert w.mark_not_published(gone) == gone
    assert max(seen) <= 8 and seen[-1] == 0  # the close drops them from the root
    assert GridCube.open(path).not_published == gone


def test_a_schema2_cube_reads_and_its_first_writer_upgrades_it(tmp_path):
    path = tmp_path / "old.zarr"
    _build(path, 10, not_published=[D0 + timedelta(days=12)])
    before = _records(path)
    to_schema2(path)
    old = GridCube.open(path)
    assert old.index.stored_schema == 2 and old.days == sorted(before)[:10]
    assert old.read_days([D0])[0].tobytes() == field(D0).tobytes()
    assert "swathkit" in xr.open_zarr(path, consolidated=True).attrs
    with cube_writer(path) as w:
        assert w.index is not None and w.index.stored_schema == 3
    assert _root(path)["attributes"]["swathkit"]["schema"] == 3
    assert _records(path) == before
    assert GridCube.open(path).not_published == [D0 + timedelta(days=12)]


def test_an_upgrade_stopped_before_its_root_leaves_the_old_cube(tmp_path, monkeypatch):
    path = tmp_path / "old.zarr"
    _build(path, 10)
    before = _records(path)
    to_schema2(path)
    root = (path / "zarr.json").read_bytes()

    def stop(*args, **kwargs):
        raise KeyboardInterrupt  # the writer stops after the documents, before the flip

    monkeypatch.setattr(cube_upgrade, "write_root", stop)
    with pytest.raises(KeyboardInterrupt), cube_writer(path):
        pass
    assert (path / "zarr.json").read_bytes() == root and (path / "_days").is_dir()
    assert GridCube.open(path).index.stored_schema == 2
    assert GridCube.open(path).days == sorted(before)
    monkeypatch.undo()
    with cube_writer(path) as w:  # the next writer does it again, whole
        w.upsert_days({D0 + timedelta(days=10): field(D0 + timedelta(days=10))})
    assert len(_records(path)) == 11 and GridCube.open(path).index.stored_schema == 3


@pytest.mark.timeout(90)
def test_a_cube_on_s3_keeps_its_day_documents_there(s3, s3_url):
    with cube_writer(s3_url, grid=TINY, space_chunk=16) as w:
        w.upsert_days(fields(D0, 10))
    prefix = s3_url.removeprefix(f"s3://{s3.bucket}/")
    assert [k for k in s3.keys(prefix) if "/_days/" in k] == [
        f"{prefix}/_days/c000000.json", f"{prefix}/_days/c000001.json"]
    cube = GridCube.open(s3_url)
    assert cube.days == [D0 + timedelta(days=i) for i in range(10)]
    assert cube.index.days[D0 + timedelta(days=9)].state == "present"
    with cube_writer(s3_url) as w:
        w.upsert_days({D0 + timedelta(days=10): field(D0 + timedelta(days=10))})
    assert len(GridCube.open(s3_url).days) == 11
