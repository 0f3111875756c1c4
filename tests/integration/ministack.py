"""Start and stop ministack on 127.0.0.1, and talk to it: boto3 clients and plain HTTP.

Shared by the integration tests and bench/handler.py. ministack runs from its own virtualenv (it
pins an older botocore); this module only needs the standard library and the caller's boto3.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PYTHON = REPO_ROOT / ".venv-ministack" / "bin" / "python"
HOST = "127.0.0.1"
DEFAULT_REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


class MinistackUnavailable(RuntimeError):
    """ministack's virtualenv is missing or the server did not come up."""


def ministack_python() -> Path:
    """The interpreter of ministack's virtualenv (env MINISTACK_PYTHON overrides the default)."""
    python = Path(os.environ.get("MINISTACK_PYTHON", DEFAULT_PYTHON))
    if not python.exists():
        raise MinistackUnavailable(
            f"ministack's virtualenv python not found at {python}: run `make test` (it creates "
            f"{DEFAULT_PYTHON.parent.parent.relative_to(REPO_ROOT)} from "
            f"the `ministack` group of pyproject.toml), or set MINISTACK_PYTHON"
        )
    return python


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self):
        return json.loads(self.body)


class Ministack:
    """One ministack process on 127.0.0.1; use as a context manager so it always stops."""

    def __init__(self, python: Path | None = None, port: int | None = None, ready_timeout: float = 30.0):
        self.python = python or ministack_python()
        self.port = port or free_port()
        self.ready_timeout = ready_timeout
        self.endpoint = f"http://{HOST}:{self.port}"
        self._workdir: Path | None = None
        self._log = None
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> "Ministack":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        # Its own TMPDIR: ministack writes its pid file and every Lambda worker's code there.
        self._workdir = Path(tempfile.mkdtemp(prefix="ministack-"))
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "POWERTOOLS_")) and key not in ("VIRTUAL_ENV", "PYTHONPATH")
        }
        env.update(
            GATEWAY_PORT=str(self.port),
            BIND_HOST=HOST,  # without it ministack listens on 0.0.0.0
            TMPDIR=str(self._workdir),
            LOG_LEVEL="WARNING",
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
        )
        self._log = open(self._workdir / "ministack.log", "wb")
        self._process = subprocess.Popen(
            [str(self.python), "-m", "ministack"],
            env=env,
            cwd=self._workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its Lambda workers share the group, so stop() reaches them too
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise MinistackUnavailable(
                    f"ministack ({self.python}) exited with {self._process.returncode}; if its virtualenv is "
                    f"incomplete, run `make test`:\n{self.log_tail()}"
                )
            try:
                if self.request("GET", "/_ministack/health", timeout=1).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise MinistackUnavailable(f"ministack not ready after {self.ready_timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                os.killpg(self._process.pid, signal.SIGTERM)
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self._process.pid, signal.SIGKILL)
                    self._process.wait()
            self._reap_group()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def _reap_group(self) -> None:
        """Lambda workers left in ministack's process group once the server itself has exited."""
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 40) -> str:
        if self._workdir is None or not (self._workdir / "ministack.log").exists():
            return ""
        self._log.flush()
        return "\n".join((self._workdir / "ministack.log").read_text(errors="replace").splitlines()[-lines:])

    def client(self, service: str, region: str = DEFAULT_REGION):
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            **CREDENTIALS,
            config=Config(retries={"max_attempts": 2, "mode": "standard"}),
        )

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Response:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Response(
                response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
            )
        finally:
            connection.close()

    def alb_request(
        self,
        lb_name: str,
        region: str,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Response:
        """An HTTP request to a load balancer, addressed by path (ministack answers `/health` itself)."""
        headers = dict(headers or {})
        if region != DEFAULT_REGION:
            # ministack finds a load balancer outside its default region only through the region named
            # in a SigV4-shaped Authorization header.
            headers["Authorization"] = (
                f"AWS4-HMAC-SHA256 Credential=test/20260101/{region}/elasticloadbalancing/aws4_request, "
                "SignedHeaders=host, Signature=0"
            )
        return self.request(method, f"/_alb/{lb_name}{path}", body=body, headers=headers, timeout=timeout)
