"""A local S3 server for tests and benchmarks: moto's server mode on 127.0.0.1.

    with LocalS3() as s3:                     # a free port, one empty bucket
        os.environ.update(s3.environment())   # the usual AWS chain, dummy values
        swath_writer(s3.url("swaths.zarr"), layout)

The server is :class:`moto.server.ThreadedMotoServer` (threads, HTTP/1.1), with
one difference that makes it behave as S3 does: moto checks ``If-Match`` /
``If-None-Match`` and then stores the object as two steps with no lock between
them, so two conditional PUTs of one key arriving together could both pass;
S3 makes check and store one step. Requests carrying a condition are therefore
served one at a time; all others stay concurrent.

The credentials are fixed dummy values (:data:`ACCESS_KEY`, :data:`SECRET_KEY`):
moto accepts any, and tests look for the secret in logs to show it never gets there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

ACCESS_KEY = "AKIASWATHKITTEST0001"
SECRET_KEY = "swathkit-test-secret-0f5c9a1e7b3d"  # noqa: S105 (a dummy, easy to find in logs)
REGION = "us-east-1"
_CONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH")


class _AtomicConditions:
    """WSGI middleware: one conditional write at a time (S3's check-and-store is atomic)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app, self._lock = app, threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any],
                 ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in ("PUT", "DELETE", "POST") and any(
                c in environ for c in _CONDITIONS):
            with self._lock:  # the whole answer is made inside: moto answers with a list
                return list(self._app(environ, start_response))
        return self._app(environ, start_response)


class LocalS3:
    """moto's S3 on a free loopback port, with one bucket created at start."""

    def __init__(self, bucket: str = "swathkit-test") -> None:
        self.bucket = bucket
        self._server: Any = None

    def start(self) -> LocalS3:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from moto.server import ThreadedMotoServer
        from werkzeug.serving import make_server

        class _Quiet(MotoRequestHandler):
            def log_request(self, *args: Any) -> None:  # no line per request on stderr
                pass

        class _Server(ThreadedMotoServer):
            def _server_entry(self) -> None:  # as moto's, with the middleware
                app = _AtomicConditions(DomainDispatcherApplication(create_backend_app))
                self._server = make_server(self._ip_address, self._port, app, True,
                                           request_handler=_Quiet)
                self._server_ready_event.set()
                self._server.serve_forever()

        self._server = _Server(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        self.client().create_bucket(Bucket=self.bucket)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> LocalS3:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    def url(self, name: str) -> str:
        """The ``s3://`` address of ``name`` in the bucket."""
        return f"s3://{self.bucket}/{name}"

    def environment(self) -> dict[str, str]:
        """The AWS chain's variables pointing at this server (for a test's env)."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL_S3": self.endpoint_url}

    def storage_options(self) -> dict[str, Any]:
        """The same, as s3fs options (for code that takes ``storage_options``)."""
        return {"key": ACCESS_KEY, "secret": SECRET_KEY,
                "client_kwargs": {"endpoint_url": self.endpoint_url, "region_name": REGION}}

    def client(self) -> Any:
        """A boto3 client of this server (for tests that look at objects directly)."""
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def keys(self, prefix: str = "") -> list[str]:
        """Every key under ``prefix``, sorted."""
        pages = self.client().get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def main() -> None:
    """``python -m swathkit.sim.s3``: serve until standard input closes; print the endpoint.

    Benchmarks run the server in its own process, so that it does not share the
    client's interpreter lock.
    """
    import sys

    from swathkit.cli import render

    with LocalS3(sys.argv[1] if len(sys.argv) > 1 else "swathkit-test") as server:
        render.note(server.endpoint_url)  # the line the benchmark reads
        sys.stdout.flush()
        sys.stdin.read()


if __name__ == "__main__":
    main()
