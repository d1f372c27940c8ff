"""The HTTP side of the simulated Bremen archive: Apache-style listings and files.

See :mod:`swathkit.sim.bremen.server` for what is served; this module answers
requests, on the simulators' server base (:mod:`swathkit.sim._server`: HTTPS,
faults, ranges, the connection cap).
"""

from __future__ import annotations

import html
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from swathkit.sim._server import SimHandler, SimServer, send_file
from swathkit.sim.faults import FaultPlan

if TYPE_CHECKING:
    from swathkit.sim.bremen.server import AsiFiles, Entry

_HTML = "text/html;charset=UTF-8"


class BremenServer(SimServer):
    """The archive's server over :class:`~swathkit.sim.bremen.server.AsiFiles`.

    Args:
        files: The archive's tree.
        plan: Faults to inject (its ``max_sessions`` caps concurrent connections).
        tls: Serve HTTPS (the default, as the real archive does).
        bandwidth: Bytes per second per connection, or ``None``.
        latency: Round-trip seconds added to every exchange (0: loopback).
    """

    def __init__(self, files: AsiFiles, plan: FaultPlan, *, tls: bool = True,
                 bandwidth: float | None = None, latency: float = 0.0) -> None:
        super().__init__(_Handler, plan=plan, tls=tls, connection_cap=plan.max_sessions,
                         bandwidth=bandwidth, latency=latency, name="sim-bremen-http")
        self.files = files


class _Handler(SimHandler):
    server: BremenServer
    server_version = "Apache/2.4 (swathkit simulated)"

    def do_HEAD(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        path = urlsplit(self.path).path
        if not self.begin(f"{self.command} {path}"):
            return
        parts = tuple(p for p in unquote(path).split("/") if p)
        files = self.server.files
        entries = files.listing(parts)
        if entries is not None:
            if path.endswith("/"):
                self.send_bytes(HTTPStatus.OK, _listing_html(path, entries).encode(), _HTML)
            else:
                self.send_bytes(HTTPStatus.MOVED_PERMANENTLY, _moved_html(path + "/").encode(),
                                _HTML, {"Location": path + "/"})
            return
        found = None if {".", ".."} & set(parts) else files.resolve(parts)
        if found is None or not files.published(found[1]):
            self.server.counts.add("not_found")
            self.send_bytes(HTTPStatus.NOT_FOUND, _not_found_html(path).encode(), _HTML)
            return
        send_file(self, files.local(*found), "/".join(parts),
                  content_type="application/x-netcdf", modified=files.modified(found[1]))

    def send_error_page(self, status: HTTPStatus, message: str,
                        headers: dict[str, str] | None = None) -> None:
        page = _page(f"{status.value} {status.phrase}", f"<p>{html.escape(message)}</p>")
        self.send_bytes(status, page.encode(), _HTML, headers)


def _human(size: int | None) -> str:
    """A size as Apache's autoindex writes it: ``-``, ``512``, ``3.4K``, ``12M``."""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("", "K", "M", "G"):
        if value < 1024 or unit == "G":
            if not unit:
                return str(size)
            return f"{value:.1f}{unit}" if value < 10 else f"{value:.0f}{unit}"
        value /= 1024
    return str(size)  # pragma: no cover


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
            f"<title>{html.escape(title)}</title>\n</head><body>\n<h1>{html.escape(title)}</h1>\n"
            f"{body}\n</body></html>\n")


def _not_found_html(path: str) -> str:
    return _page("404 Not Found", f"<p>The requested URL {html.escape(path)} was not found "
                 "on this server.</p>")


def _moved_html(location: str) -> str:
    return _page("301 Moved Permanently",
                 f'<p>The document has moved <a href="{html.escape(location)}">here</a>.</p>')


def _listing_html(path: str, entries: list[Entry]) -> str:
    """An Apache ``mod_autoindex`` page: name, last modified, size."""
    title = f"Index of {path.rstrip('/') or '/'}"
    parent = path.rstrip("/").rsplit("/", 1)[0] + "/"
    lines = ['<pre>      Name                                 Last modified      Size  '
             "Description<hr>"]
    if path != "/":
        lines.append(f'      <a href="{html.escape(parent)}">Parent Directory</a>'
                     f"{' ' * 30}-   ")
    for e in entries:
        name = html.escape(e.name)
        pad = " " * max(1, 37 - len(e.name))
        lines.append(f'      <a href="{name}">{name}</a>{pad}{e.modified:%Y-%m-%d %H:%M}  '
                     f"{_human(e.size):>4}  ")
    lines.append("<hr></pre>")
    return (f'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n <head>\n'
            f"  <title>{html.escape(title)}</title>\n </head>\n <body>\n"
            f"<h1>{html.escape(title)}</h1>\n" + "\n".join(lines) + "\n</body></html>\n")
