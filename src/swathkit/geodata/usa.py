"""Coarse outlines of the USA in three parts (CONUS, Alaska, Hawaii), counter-clockwise.

Good to a few tens of kilometres. ``pairs search --aoi usa`` searches these parts one
by one; the simulated ALOS catalogue keeps a scene when one of its sample points is land
(:mod:`swathkit.geodata`) inside an outline, so its coastline comes from the land mask
and only the land borders from here.
Alaska stops at 172°W (the western Aleutians, across the antimeridian, are left out).
"""

from __future__ import annotations

from shapely.geometry import MultiPolygon, Polygon

__all__ = ["ALASKA", "CONUS", "HAWAII", "USA", "USA_PARTS"]

CONUS = Polygon([
    (-124.1, 43.0), (-124.4, 40.4), (-122.5, 37.5), (-120.6, 34.5), (-118.5, 34.0),
    (-117.1, 32.5), (-114.8, 32.5), (-111.1, 31.3), (-108.2, 31.3), (-106.5, 31.8),
    (-104.7, 30.0), (-103.0, 29.0), (-101.4, 29.8), (-99.5, 27.5), (-97.2, 25.9),
    (-97.2, 27.5), (-94.0, 29.5), (-90.0, 29.0), (-88.0, 30.4), (-84.0, 30.0), (-82.8, 28.0),
    (-81.8, 25.8), (-80.4, 25.1), (-80.0, 26.5), (-81.2, 31.5), (-78.5, 33.8), (-75.9, 35.5),
    (-75.5, 38.5), (-74.0, 40.5), (-70.5, 41.5), (-70.0, 43.5), (-67.0, 44.8), (-67.8, 47.1),
    (-69.2, 47.4), (-71.5, 45.0), (-74.7, 45.0), (-76.3, 44.2), (-79.0, 43.3), (-82.5, 42.0),
    (-82.4, 45.3), (-84.8, 46.5), (-89.6, 48.0), (-95.2, 49.0), (-123.0, 49.0),
    (-124.7, 48.4), (-124.1, 43.0),
])
ALASKA = Polygon([
    (-141.0, 69.6), (-145.0, 70.2), (-152.0, 70.9), (-156.5, 71.4), (-163.0, 70.3),
    (-166.0, 68.9), (-168.2, 65.6), (-165.5, 62.5), (-166.0, 60.0), (-162.0, 58.5),
    (-158.0, 58.5), (-163.0, 55.5), (-168.0, 54.0), (-172.0, 52.5), (-170.0, 52.0),
    (-165.0, 53.5), (-156.0, 55.0), (-150.0, 58.0), (-137.0, 58.0), (-133.0, 54.6),
    (-130.0, 54.7), (-130.0, 56.0), (-133.0, 58.4), (-137.0, 59.0), (-141.0, 60.3),
    (-141.0, 69.6),
])
HAWAII = Polygon([(-160.6, 18.8), (-154.7, 18.8), (-154.7, 22.3), (-160.6, 22.3),
                  (-160.6, 18.8)])
USA_PARTS: dict[str, Polygon] = {"CONUS": CONUS, "AK": ALASKA, "HI": HAWAII}
USA = MultiPolygon([CONUS, ALASKA, HAWAII])
