"""The zip that deploys: tiny, self-contained, and routing from outside the project tree."""

import io
import json
import shutil
import subprocess
import sys
import zipfile

import pytest

from components.doors.edge_routing import EdgeOrigin, routing_table_json
from components.stack.packaging import EDGE_SOURCE, build_zip
from functions.edge import contract
from functions.edge.router import Router
from functions.edge.table import RoutingTable
from tests.functions.edge.fakes import FRANKFURT, header, origin_request_event, viewer_headers
from tests.functions.edge.localhttp import closed_port
from tests.functions.edge.standins import Distribution, RegionOrigin

TABLE_ENTRY = f"{contract.PACKAGE_NAME}/{contract.ROUTING_TABLE_FILE}"
# Viewer-trigger limit is 1 MB; origin-request allows 50 MB. The router should stay tiny.
SIZE_BUDGET_BYTES = 64 * 1024

# Runs inside the unpacked package only: isolated mode, no project on sys.path. The first event is a
# health probe (routed straight, nothing probed); then two viewer requests whose probes go through the
# stand-in distribution, which answers plain http.
_INVOKE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from edge.handler import handler
import edge.handler
assert "functions" not in sys.modules and "components" not in sys.modules
events = json.loads(sys.stdin.read())
probe = handler(events["probe"], None)
router = edge.handler._router
router.probe_scheme = "http"
first = handler(json.loads(json.dumps(events["viewer"])), None)
second = handler(events["viewer"], None)
assert edge.handler._router is router, "the routing table is loaded once per container"
print(json.dumps({"probe": probe, "first": first, "second": second}))
"""


def _zip(origins: dict) -> bytes:
    table = routing_table_json("us-east-1", list(origins), origins)
    return build_zip(EDGE_SOURCE, contract.PACKAGE_NAME, extra={TABLE_ENTRY: table})


def _interpreters() -> list[str]:
    """This interpreter, plus other Lambda@Edge Python versions found on PATH that actually run."""
    found = [sys.executable]
    for name in ("python3.12", "python3.13"):
        path = shutil.which(name)
        if path and subprocess.run([path, "-c", "pass"], capture_output=True).returncode == 0:
            found.append(path)
    return found


def test_package_is_tiny_and_holds_only_the_router_and_its_table():
    archive = _zip({"us-east-1": EdgeOrigin("api.example.com"), "eu-west-1": EdgeOrigin("eu.example.com")})

    assert len(archive) < SIZE_BUDGET_BYTES
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert TABLE_ENTRY in names
    assert f"{contract.PACKAGE_NAME}/handler.py" in names
    assert all(name.startswith(f"{contract.PACKAGE_NAME}/") and name.endswith((".py", ".json")) for name in names)


@pytest.mark.parametrize("python", _interpreters())
def test_unpacked_package_routes_around_a_dead_region_probing_through_the_distribution(tmp_path, python):
    live = RegionOrigin("us-east-1")
    origins = {
        "us-east-1": EdgeOrigin("127.0.0.1", "http", live.port),
        "eu-west-1": EdgeOrigin("127.0.0.1", "http", closed_port()),  # nothing listens: refused
    }
    archive = _zip(origins)
    table = RoutingTable.from_dict(json.loads(routing_table_json("us-east-1", list(origins), origins)))
    distribution = Distribution(lambda: Router(table, probe_scheme="http"))
    try:
        zipfile.ZipFile(io.BytesIO(archive)).extractall(tmp_path)
        viewer = viewer_headers(coordinates=FRANKFURT)
        events = {
            "probe": origin_request_event(
                {**viewer, **header(contract.PROBE_REGION_HEADER, "eu-west-1")}, uri="/health", querystring=""
            ),
            "viewer": origin_request_event(viewer, distribution=distribution.domain),
        }
        result = subprocess.run(
            [python, "-I", "-c", _INVOKE, str(tmp_path)],
            input=json.dumps(events),
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )
    finally:
        distribution.stop()
        live.stop()

    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    probe = answers.pop("probe")
    assert probe["headers"][contract.ROUTED_REASON_HEADER][0]["value"] == contract.PROBE_REASON
    assert probe["origin"]["custom"]["port"] == origins["eu-west-1"].port
    for request in answers.values():
        assert request["headers"][contract.ROUTED_REGION_HEADER][0]["value"] == "us-east-1"
        assert request["headers"][contract.ROUTED_REASON_HEADER][0]["value"] == "nearest;failover"
        custom = request["origin"]["custom"]
        assert (custom["domainName"], custom["protocol"], custom["port"]) == ("127.0.0.1", "http", live.port)
    assert live.forbidden == 0 and live.served >= 1  # its health was asked through the distribution
