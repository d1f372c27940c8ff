"""The simulated ASF and LandsatLook on loopback, and the environment pointing swathkit at them.

Small files (16-pixel RTC zips, 500-pixel DSWE tiles) and a small area (a 1° × 1° box in
Arkansas over two months: a few ALOS scenes, a dozen DSWE tiles) keep the pairs tests
to seconds.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from shapely.geometry import box

from swathkit.sim.cmr.asf import SimulatedAsf
from swathkit.sim.stac.server import SimulatedLandsatLook

AOI = box(-92.0, 34.0, -90.0, 35.0)
PERIOD = ("2008-06-01", "2008-08-01")
USERS = {"alice": "correct horse"}
EARTHDATA_USERS = {"bob": "battery staple"}


@contextmanager
def simulators(folder: Path, *, faults="none", ll_options=None, **asf_options):
    """Both simulators; ``asf_options`` go to SimulatedAsf, ``ll_options`` to LandsatLook."""
    folder.mkdir(parents=True, exist_ok=True)
    with SimulatedAsf(pixels=16, faults=faults, cache_dir=folder / "asf",
                      users=EARTHDATA_USERS, **asf_options) as asf, \
            SimulatedLandsatLook(users=USERS, pixels=500, faults=faults,
                                 cache_dir=folder / "ll", **(ll_options or {})) as ll:
        ca = folder / "ca.pem"
        ca.write_text(asf.ca_file.read_text() + ll.ca_file.read_text())
        yield asf, ll, ca


def point_at(monkeypatch, asf, ll, ca: Path, *, login: bool = True) -> None:
    """Endpoints and CA bundle by environment, as a user would set them."""
    for name, url in {"CMR": asf.cmr_url, "ASF_DATAPOOL": asf.datapool_url,
                      "LANDSATLOOK_STAC": ll.stac_url, "LANDSATLOOK": ll.base_url,
                      "ERS": ll.base_url, "URS": asf.urs_url}.items():
        monkeypatch.setenv(f"SWATHKIT_{name}_URL", url)
    monkeypatch.setenv("SWATHKIT_CA_BUNDLE", str(ca))
    for name in ("EARTHDATA_TOKEN", "EARTHDATA_USERNAME", "EARTHDATA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    if login:
        monkeypatch.setenv("USGS_USERNAME", "alice")
        monkeypatch.setenv("USGS_PASSWORD", USERS["alice"])
        monkeypatch.setenv("EARTHDATA_USERNAME", "bob")
        monkeypatch.setenv("EARTHDATA_PASSWORD", EARTHDATA_USERS["bob"])
    else:
        monkeypatch.delenv("USGS_USERNAME", raising=False)
        monkeypatch.delenv("USGS_PASSWORD", raising=False)
