"""DSWE window reads: only the window under a box, tiles of one date merged on one lattice."""

import fsspec
import numpy as np
import pytest
import rasterio

from dswe_tiles import RES, X0, Y0, write_tile
from swathkit.errors import InputError
from swathkit.products.dswe.window import read_merged


def box(r0: int, c0: int, r1: int, c1: int) -> tuple[float, float, float, float]:
    """Bounds of lattice rows r0..r1-1, columns c0..c1-1."""
    return X0 + c0 * RES, Y0 - r1 * RES, X0 + c1 * RES, Y0 - r0 * RES


def ramp(shape: tuple[int, int], base: int) -> np.ndarray:
    return (base + np.arange(shape[0] * shape[1]).reshape(shape) % 5).astype(np.uint8)


def test_adjacent_tiles_merge_onto_the_box(tmp_path):
    west = write_tile(tmp_path / "w.tif", ramp((40, 40), 0))
    east = write_tile(tmp_path / "e.tif", ramp((40, 40), 10), col=40)
    merged = read_merged([str(west), str(east)], box(10, 30, 20, 50))
    assert merged.classes.shape == (10, 20)
    assert np.array_equal(merged.classes[:, :10], ramp((40, 40), 0)[10:20, 30:40])
    assert np.array_equal(merged.classes[:, 10:], ramp((40, 40), 10)[10:20, 0:10])
    assert merged.transform.c == X0 + 30 * RES and merged.transform.f == Y0 - 10 * RES


def test_pixels_outside_every_tile_are_fill(tmp_path):
    only = write_tile(tmp_path / "a.tif", ramp((20, 20), 0))
    merged = read_merged([str(only)], box(10, 10, 30, 30))
    assert (merged.classes[10:, :] == 255).all() and (merged.classes[:, 10:] == 255).all()
    assert np.array_equal(merged.classes[:10, :10], ramp((20, 20), 0)[10:, 10:])


def test_where_tiles_overlap_the_first_valid_value_wins(tmp_path):
    first = ramp((20, 20), 1)
    first[:, :5] = 255  # fill (SLC-off stripe) in the first tile
    a = write_tile(tmp_path / "a.tif", first)
    b = write_tile(tmp_path / "b.tif", np.full((20, 20), 9, np.uint8))
    merged = read_merged([str(a), str(b)], box(0, 0, 20, 20))
    assert (merged.classes[:, :5] == 9).all()
    assert np.array_equal(merged.classes[:, 5:], first[:, 5:])
    swapped = read_merged([str(b), str(a)], box(0, 0, 20, 20))
    assert (swapped.classes == 9).all()


def test_only_the_window_is_read_from_a_cog(tmp_path):
    rng = np.random.default_rng(3)
    big = write_tile(tmp_path / "big.tif", rng.integers(0, 5, (1024, 1024), np.uint8))
    merged = read_merged([str(big)], box(0, 0, 100, 100))
    assert merged.file_bytes == big.stat().st_size
    assert merged.bytes_read is not None and merged.bytes_read < merged.file_bytes / 5


def test_an_fsspec_filesystem_or_a_callable_opener_reads_the_same(tmp_path):
    tif = write_tile(tmp_path / "a.tif", ramp((300, 300), 0))
    bounds = box(100, 100, 200, 200)
    plain = read_merged([str(tif)], bounds)
    via_fs = read_merged([str(tif)], bounds, opener=fsspec.filesystem("file"))
    opened: list[str] = []

    def opener(path: str, mode: str):
        opened.append(path)
        return open(path, mode)

    via_callable = read_merged([str(tif)], bounds, opener=opener)
    assert np.array_equal(via_fs.classes, plain.classes)
    assert np.array_equal(via_callable.classes, plain.classes)
    assert str(tif) in opened and via_callable.bytes_read == plain.bytes_read > 0


def test_an_open_dataset_is_read_without_byte_counts(tmp_path):
    tif = write_tile(tmp_path / "a.tif", ramp((20, 20), 0))
    with rasterio.open(tif) as ds:
        merged = read_merged([ds], box(0, 0, 10, 10))
    assert merged.bytes_read is None
    assert np.array_equal(merged.classes, ramp((20, 20), 0)[:10, :10])


def test_tiles_of_another_crs_are_refused(tmp_path):
    a = write_tile(tmp_path / "a.tif", ramp((20, 20), 0))
    b = write_tile(tmp_path / "b.tif", ramp((20, 20), 0), crs="EPSG:5070")
    with pytest.raises(InputError, match="CRS differs"):
        read_merged([str(a), str(b)], box(0, 0, 10, 10))


def test_tiles_off_the_lattice_are_refused(tmp_path):
    a = write_tile(tmp_path / "a.tif", ramp((20, 20), 0))
    b = write_tile(tmp_path / "b.tif", ramp((20, 20), 0), col=0.5)  # half a pixel east
    with pytest.raises(InputError, match="lattice"):
        read_merged([str(a), str(b)], box(0, 0, 10, 10))


def test_a_file_that_is_not_a_geotiff_is_an_input_error(tmp_path):
    text = tmp_path / "notes_INWAM.TIF"
    text.write_text("not a tiff\n")
    with pytest.raises(InputError, match="not a readable GeoTIFF") as info:
        read_merged([str(text)], box(0, 0, 10, 10))
    assert "\n" not in str(info.value)


def test_reading_only_the_footprints_internal_tiles_gives_the_same_score(tmp_path):
    from dswe_tiles import lonlat, rotated
    from swathkit.process.overlap import footprint_in, read_bounds, score

    rng = np.random.default_rng(3)
    path = write_tile(tmp_path / "t.tif", rng.choice([0, 1, 2, 9, 255], (1024, 1024)),
                      block=128)
    footprint = lonlat(rotated(200, 200, 800, 800, degrees=45.0))  # a diamond: corners empty
    whole = read_merged([str(path)], lambda crs: read_bounds(footprint, crs))
    part = read_merged([str(path)], lambda crs: read_bounds(footprint, crs),
                       region=lambda crs: footprint_in(footprint, crs))
    assert part.bytes_read < whole.bytes_read
    assert (part.classes != whole.classes).any()  # blocks away from the footprint: fill
    assert score(part.classes, part.transform, part.crs_wkt, footprint) == score(
        whole.classes, whole.transform, whole.crs_wkt, footprint)
