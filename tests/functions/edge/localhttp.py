"""A tiny HTTP origin on 127.0.0.1 for the real prober: /health 200, /sick 503, /moved 302, and
/guarded: 200 only with the origin secret header (403 otherwise, as a locked-down ALB answers).
`local_origin(region)` also names its region in `x-served-by-region`, as the API does on every answer."""

import socket
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from functions.edge.contract import SERVED_BY_HEADER
from tests.support.local_http import serving

ANSWERS = {"/health": 200, "/sick": 503, "/moved": 302}
GUARDED_PATH, ORIGIN_SECRET = "/guarded", "s3cr3t"


class _Origin(BaseHTTPRequestHandler):
    region = None

    def do_GET(self):
        status = ANSWERS.get(self.path, 404)
        if self.path == GUARDED_PATH:
            status = 200 if self.headers.get("x-origin-verify") == ORIGIN_SECRET else 403
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/health")
        if self.region is not None:
            self.send_header(SERVED_BY_HEADER, self.region)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@contextmanager
def local_origin(region=None):
    """Yields the port of a running origin (answering as `region` when given); stops it on exit."""
    handler = type("_RegionOrigin", (_Origin,), {"region": region})
    with serving(handler) as port:
        yield port


@contextmanager
def silent_origin():
    """Yields the port of a socket that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
