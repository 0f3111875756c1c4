"""The lockdown on 127.0.0.1: regional origins that admit only CloudFront, and a stand-in distribution.

- `RegionOrigin`: answers `GET /health` (and any other path) 200 with `x-served-by-region: <region>`, as
  the API does, but only to requests carrying the origin-secret header: anything else gets 403 (an API
  Gateway entry locked to CloudFront). It can go down by answering 503, or by refusing connections (an
  ALB gone), and come back on the same port.
- `Distribution`: for every request, runs the real router's origin-request handler on a CloudFront-shaped
  event (config.distributionDomainName = its own host:port; the origin a custom origin whose custom
  headers hold the secret), then forwards to the origin the router chose, adding the origin's custom
  headers as CloudFront does; 502 when the origin cannot be reached. Lambda@Edge runs one request per
  container: each request takes the oldest free router ("container") or makes a new one, so the health
  probes one container sends through the distribution are handled by another, as in CloudFront.
  The answer also carries the router's choice (`x-routed-to-region`, `x-routed-reason`) for the test.
"""

import http.client
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from functions.edge import contract
from functions.edge.router import Router

SECRET_HEADER, SECRET = "x-origin-verify", "l0ckd0wn-s3cr3t"
UP, ERROR, REFUSE = "up", "503", "refuse"


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0):
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def answer(self, status: int, headers: dict, body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class RegionOrigin:
    def __init__(self, region: str):
        self.region = region
        self.mode = UP
        self.forbidden = 0  # requests refused for lack of the origin secret
        self.served = 0
        origin = self

        class Handler(_Quiet):
            def do_GET(self):
                if self.headers.get(SECRET_HEADER) != SECRET:
                    origin.forbidden += 1
                    return self.answer(403, {})
                origin.served += 1
                status = 503 if origin.mode == ERROR else 200
                self.answer(status, {contract.SERVED_BY_HEADER: origin.region}, b'{"status":"ok"}')

            do_HEAD = do_GET

        self._handler = Handler
        self._server: Optional[_Server] = _Server(Handler)
        self.port = self._server.port

    def go_down(self, how: str) -> None:
        if how == REFUSE:
            self._server.stop()  # nothing listens: connections are refused
            self._server = None
        self.mode = how

    def recover(self) -> None:
        if self._server is None:
            self._server = _Server(self._handler, self.port)
        self.mode = UP

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


class Distribution:
    def __init__(self, new_router: Callable[[], Router]):
        self._new_router = new_router
        self._lock = threading.Lock()
        self.containers: list[Router] = []
        self._busy: set[int] = set()
        distribution = self

        class Handler(_Quiet):
            def do_GET(self):
                distribution._serve(self)

            do_HEAD = do_GET

        self._server = _Server(Handler)
        self.port = self._server.port
        self.domain = f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._server.stop()

    def _take(self) -> int:
        with self._lock:
            for index in range(len(self.containers)):
                if index not in self._busy:
                    break
            else:
                self.containers.append(self._new_router())
                index = len(self.containers) - 1
            self._busy.add(index)
            return index

    def _release(self, index: int) -> None:
        with self._lock:
            self._busy.discard(index)

    def event(self, handler: BaseHTTPRequestHandler) -> dict:
        path, _, query = handler.path.partition("?")
        headers: dict[str, list] = {}
        for name, value in handler.headers.items():
            headers.setdefault(name.lower(), []).append({"key": name, "value": value})
        return {
            "Records": [
                {
                    "cf": {
                        "config": {
                            "distributionDomainName": self.domain,
                            "distributionId": "ESTANDIN",
                            "eventType": "origin-request",
                            "requestId": "standin",
                        },
                        "request": {
                            "clientIp": "127.0.0.1",
                            "headers": headers,
                            "method": handler.command,
                            "origin": {
                                "custom": {
                                    "customHeaders": {SECRET_HEADER: [{"key": "X-Origin-Verify", "value": SECRET}]},
                                    "domainName": "127.0.0.1",
                                    "keepaliveTimeout": 5,
                                    "path": "",
                                    "port": 443,
                                    "protocol": "https",
                                    "readTimeout": 30,
                                    "sslProtocols": ["TLSv1.2"],
                                }
                            },
                            "querystring": query,
                            "uri": path,
                        },
                    }
                }
            ]
        }

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        index = self._take()
        try:
            request = self.containers[index].handle(self.event(handler))
        finally:
            self._release(index)
        routed = {
            name: request["headers"][name][0]["value"]
            for name in (contract.ROUTED_REGION_HEADER, contract.ROUTED_REASON_HEADER)
        }
        custom = request["origin"]["custom"]
        outgoing = {entries[0]["key"]: entries[0]["value"] for entries in request["headers"].values()}
        # CloudFront adds the origin's custom headers itself.
        outgoing.update({entries[0]["key"]: entries[0]["value"] for entries in custom["customHeaders"].values()})
        uri = request["uri"] + (f"?{request['querystring']}" if request["querystring"] else "")
        connection = http.client.HTTPConnection(custom["domainName"], custom["port"], timeout=5)
        try:
            connection.request(request["method"], custom["path"] + uri, headers=outgoing)
            response = connection.getresponse()
            body = response.read()
            status, headers = (
                response.status,
                {contract.SERVED_BY_HEADER: response.getheader(contract.SERVED_BY_HEADER)},
            )
        except OSError:
            status, headers, body = 502, {}, b""
        finally:
            connection.close()
        headers = {name: value for name, value in {**headers, **routed}.items() if value is not None}
        handler.answer(status, headers, body)
