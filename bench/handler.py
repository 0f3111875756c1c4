"""Benchmark the API handler against a bare boto3 handler, the edge router, and both packages' sizes.

    .venv/bin/python bench/handler.py [--quick]

Side by side in one run, against DynamoDB and SSM served by ministack on 127.0.0.1 (started here,
stopped at the end):
  (a) cold start: a fresh interpreter imports the handler and serves GET /health, PUT and GET;
      the API handler from the zip the program deploys versus a bare 10-line boto3 handler;
  (b) warm latency per request (p50/p99), same pair, same item; then the same requests with
      DynamoDB's reply canned inside botocore's send loop, which leaves each handler's own CPU;
  (c) the edge router's decision time (p50/p99) with a 20-region routing table;
  (d) zipped sizes of the api and edge packages.
Prints figures and ratios against targets; never fails on a slow figure (exit 1 only when something
could not be measured).
"""

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.doors.edge_routing import EdgeOrigin, plan_routing_table, routing_table_json  # noqa: E402
from components.stack.packaging import API_SOURCE, EDGE_SOURCE, build_zip  # noqa: E402
from functions.api import contract  # noqa: E402
from functions.edge import contract as edge_contract  # noqa: E402
from functions.edge.geo import great_circle_km  # noqa: E402
from functions.edge.routing import decide  # noqa: E402
from functions.edge.table import RoutingTable  # noqa: E402
from functions.edge.viewer import Viewer  # noqa: E402
from tests.integration import deploy  # noqa: E402
from tests.integration.ministack import Ministack, MinistackUnavailable  # noqa: E402
from tests.support.regions import TWENTY_REGIONS  # noqa: E402

REGION = "us-east-1"
TABLE_NAME = "global-serverless-bench-items"
CHAOS_PARAMETER = "/global-serverless/bench/chaos"
ITEM_ID = "bench-item"
ROUTER_REGION_CODES = TWENTY_REGIONS  # spread over every continent, home region first

TARGET_COLD_RATIO = 1.2  # issue 13's goals
TARGET_WARM_P50_RATIO = 1.1
TARGET_WARM_P99_RATIO = 1.2
TARGET_ROUTER_P99_US = 100.0
TARGET_ROUTER_P99_RATIO = 1.5  # against a bare nearest-region lookup
TARGET_EDGE_ZIP_BYTES = 20 * 1024

# The baseline: the same DynamoDB calls with nothing but boto3 (no framework, no chaos, no checks).
BARE_HANDLER = f'''\
import json
import os

import boto3

_client = boto3.client("dynamodb")
_table = os.environ["{contract.ENV_TABLE_NAME}"]


def _key(item_id):
    return {{"{contract.TABLE_HASH_KEY}": {{"{contract.TABLE_HASH_KEY_TYPE}": item_id}}}}


def handler(event, context):
    path = event.get("path") or event["rawPath"]  # ALB or HTTP API payload 2.0
    method = event.get("httpMethod") or event["requestContext"]["http"]["method"]
    if path == "/health":
        _client.get_item(TableName=_table, Key=_key("#health-probe"))
        return {{"statusCode": 200, "body": "ok"}}
    item_id = path.rsplit("/", 1)[-1]
    if method == "PUT":
        _client.update_item(TableName=_table, Key=_key(item_id), UpdateExpression="SET #d = :d",
                            ExpressionAttributeNames={{"#d": "data"}}, ExpressionAttributeValues={{":d": {{"S": event["body"]}}}})
        return {{"statusCode": 200, "body": event["body"]}}
    item = _client.get_item(TableName=_table, Key=_key(item_id)).get("Item")
    return {{"statusCode": 200 if item else 404, "body": json.dumps(item)}}
'''

# The floor under the cold-start goal: the bare handler plus importing the Powertools modules the API
# keeps for logging, metrics and routing (issue 13 keeps them), and nothing else.
POWERTOOLS_FLOOR_HANDLER = (
    "from aws_lambda_powertools import Logger, Metrics  # noqa: F401\n"
    "from aws_lambda_powertools.event_handler import ALBResolver, APIGatewayHttpResolver  # noqa: F401\n" + BARE_HANDLER
)

# The Lambda context both child scripts hand their handlers (every invocation its own request id).
CONTEXT_CLASS = """class Context:
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    memory_limit_in_mb = 512
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"
    def __init__(self):
        self.aws_request_id = str(uuid.uuid4())
    def get_remaining_time_in_millis(self):
        return 6000
"""

# Runs in a fresh interpreter: only the stdlib before the clock starts, so the cold figure is the
# handler's own import and first requests. argv: code dir, handler path, event file, out.
CHILD = r"""
import json, sys, time, uuid
code_dir, handler_path, event_file, out = sys.argv[1:5]
events = json.load(open(event_file))

__CONTEXT__

started = time.perf_counter()
sys.path.insert(0, code_dir)
module_name, _, function_name = handler_path.rpartition(".")
handler = getattr(__import__(module_name, fromlist=[function_name]), function_name)
statuses = [handler(event, Context())["statusCode"] for event in events["cold"]]
cold = time.perf_counter() - started
json.dump({"cold": cold, "statuses": statuses}, open(out, "w"))
""".replace("__CONTEXT__", CONTEXT_CLASS)

# Warm: both handlers in one interpreter, requests alternating, so a noisy moment hits both alike.
# argv: api code dir, api handler path, bare code dir, bare handler path, event file, count, out.
WARM_CHILD = r"""
import json, os, sys, time, uuid
api_dir, api_path, bare_dir, bare_path, event_file, count, out = sys.argv[1:8]
event = json.load(open(event_file))

__CONTEXT__

def load(code_dir, handler_path):
    sys.path.insert(0, code_dir)
    module_name, _, function_name = handler_path.rpartition(".")
    return getattr(__import__(module_name, fromlist=[function_name]), function_name)

handlers = {"api": load(api_dir, api_path), "bare": load(bare_dir, bare_path)}
samples = {name: [] for name in handlers}
statuses = []
stdout = sys.stdout
sys.stdout = open(os.devnull, "w")  # both write their logs and metrics; the terminal is not measured
for i in range(20 + int(count)):
    for name, handler in handlers.items():
        began = time.perf_counter()
        statuses.append(handler(event, Context())["statusCode"])
        if i >= 20:  # the first requests warm connections and caches
            samples[name].append(time.perf_counter() - began)

# Then the handlers' own CPU: DynamoDB's reply to the same GetItem, recorded once, is handed back inside
# botocore's send loop (before-send) to every DynamoDB client, so neither the network nor the emulator
# is in these samples: what is left is what each handler costs per request.
import gc
import botocore.client
from botocore.awsrequest import AWSResponse
recorded = {}
dynamodb = [o for o in gc.get_objects() if isinstance(o, botocore.client.BaseClient)
            and o.meta.service_model.service_name == "dynamodb"]
for client in dynamodb:
    client.meta.events.register("before-parse.dynamodb.GetItem",
                                lambda response_dict, **_: recorded.setdefault("body", response_dict["body"]))
handlers["bare"](event, Context())
class Body:
    def stream(self, **_):
        yield recorded["body"]
def canned(request, **_):
    return AWSResponse(request.url, 200, {"content-type": "application/x-amz-json-1.0"}, Body())
for client in dynamodb:
    client.meta.events.register("before-send.dynamodb.GetItem", canned)
cpu = {name: [] for name in handlers}
for i in range(200 + 4 * int(count)):
    for name, handler in handlers.items():
        began = time.perf_counter()
        statuses.append(handler(event, Context())["statusCode"])
        if i >= 200:
            cpu[name].append(time.perf_counter() - began)
sys.stdout = stdout
json.dump({"warm": samples, "cpu": cpu, "statuses": statuses}, open(out, "w"))
""".replace("__CONTEXT__", CONTEXT_CLASS)


def alb_event(method: str, path: str, body: str = "") -> dict:
    return {
        "requestContext": {
            "elb": {"targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:000000000000:targetgroup/bench/1"}
        },
        "httpMethod": method,
        "path": path,
        "queryStringParameters": {},
        "headers": {"host": "bench.invalid", "content-type": "application/json", "user-agent": "bench"},
        "body": body,
        "isBase64Encoded": False,
    }


def http_api_event(method: str, path: str, body: str = "") -> dict:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "bench.invalid", "content-type": "application/json", "user-agent": "bench"},
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "bench",
            "domainName": "bench.invalid",
            "requestId": "bench",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "bench",
            },
            "routeKey": "$default",
            "stage": "$default",
            "timeEpoch": 0,
        },
        "body": body,
        "isBase64Encoded": False,
    }


EVENT_SHAPES = {"alb": alb_event, "http": http_api_event}


class HandlerRunner:
    """Runs one handler in fresh interpreters (the project venv's python) against ministack."""

    def __init__(self, name: str, code_dir: Path, handler_path: str, environment: dict[str, str], workdir: Path):
        self.name, self.code_dir, self.handler_path = name, code_dir, handler_path
        self.environment = environment
        self.workdir = workdir

    def run(self, cold: list[dict]) -> dict:
        """Import the handler in a fresh interpreter and serve the `cold` events."""
        event_file = self.workdir / f"{self.name}-event.json"
        event_file.write_text(json.dumps({"cold": cold}))
        out = self.workdir / f"{self.name}-result.json"
        completed = subprocess.run(
            [sys.executable, "-c", CHILD, str(self.code_dir), self.handler_path, str(event_file), str(out)],
            env=self.environment,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{self.name} handler run failed:\n{completed.stderr[-3000:]}")
        return _checked(self.name, out)


def _checked(name: str, out: Path) -> dict:
    result = json.loads(out.read_text())
    unexpected = [status for status in result["statuses"] if status >= 300]
    if unexpected:
        raise RuntimeError(f"{name} handler answered {unexpected[:5]}: not measuring errors")
    return result


def measure_warm(api: "HandlerRunner", bare: "HandlerRunner", event: dict, count: int, workdir: Path) -> dict:
    """Warm latencies of both handlers, alternating request by request in one interpreter."""
    event_file, out = workdir / "warm-event.json", workdir / "warm-result.json"
    event_file.write_text(json.dumps(event))
    argv = [str(api.code_dir), api.handler_path, str(bare.code_dir), bare.handler_path, str(event_file), str(count)]
    completed = subprocess.run(
        [sys.executable, "-c", WARM_CHILD, *argv, str(out)],
        env=api.environment,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"warm run failed:\n{completed.stderr[-3000:]}")
    result = _checked("warm", out)
    return result["warm"], result["cpu"]


def handler_environment(ms: Ministack) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {
        **{key: os.environ[key] for key in keep if key in os.environ},
        **deploy.function_environment(TABLE_NAME, CHAOS_PARAMETER),
        contract.ENV_REGION: REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": ms.endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
    }


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_handlers(cold_runs: int, warm_requests: int) -> dict:
    """(a) and (b): cold starts interleaved api/bare so drift hits both alike, then one warm run each."""
    with Ministack() as ms, tempfile.TemporaryDirectory(prefix="bench-handler-") as tmp:
        workdir = Path(tmp)
        deploy.create_global_table(ms, TABLE_NAME, REGION)
        deploy.put_chaos(ms, REGION, CHAOS_PARAMETER)

        api_dir, bare_dir = workdir / "api-code", workdir / "bare-code"
        with zipfile.ZipFile(io.BytesIO(build_zip(API_SOURCE, contract.PACKAGE_NAME))) as archive:
            archive.extractall(api_dir)
        bare_dir.mkdir()
        (bare_dir / "bare_handler.py").write_text(BARE_HANDLER)
        (bare_dir / "floor_handler.py").write_text(POWERTOOLS_FLOOR_HANDLER)

        environment = handler_environment(ms)
        api = HandlerRunner("api", api_dir, contract.HANDLER, environment, workdir)
        bare = HandlerRunner("bare", bare_dir, "bare_handler.handler", environment, workdir)
        floor = HandlerRunner("floor", bare_dir, "floor_handler.handler", environment, workdir)

        body = json.dumps({"bench": True, "payload": "x" * 256})
        # The item both handlers read, written by the API itself so it has the API's own shape.
        api.run([alb_event("PUT", f"/items/{ITEM_ID}", body)])

        results = {}
        for shape, build in EVENT_SHAPES.items():
            get = build("GET", f"/items/{ITEM_ID}")
            # Cold: import the package, then GET /health, PUT and GET, as issue 13 measures it.
            first = [build("GET", "/health"), build("PUT", f"/items/{ITEM_ID}-cold", body), get]
            cold = {"api": [], "bare": [], "floor": []}
            for _ in range(cold_runs):
                for runner in (api, bare, floor):
                    cold[runner.name].append(runner.run(first)["cold"])
            warm, cpu = measure_warm(api, bare, get, warm_requests, workdir)
            results[shape] = {"cold": cold, "warm": warm, "cpu": cpu}
    return results


def router_origins() -> dict[str, EdgeOrigin]:
    return {code: EdgeOrigin(host=f"api.{code}.bench.invalid") for code in ROUTER_REGION_CODES}


def bare_nearest(regions, lat: float, lon: float) -> str:
    """The baseline: the nearest region by great-circle distance, nothing else (no health, no cookie)."""
    return min(regions, key=lambda r: great_circle_km(lat, lon, r.lat, r.lon)).code


def measure_router(decisions: int) -> dict:
    """(c): the edge router's decision (functions/edge/routing.decide) beside a bare nearest-region lookup.

    Both are timed per call, alternating, over the same viewers located by coordinates, 20 regions,
    every region healthy (a warm health cache); then the router alone over a realistic mix (some
    viewers pinned by cookie or known only by country, two regions unhealthy).
    """
    routing = RoutingTable.from_dict(plan_routing_table(REGION, ROUTER_REGION_CODES, router_origins()))
    regions = tuple(routing.regions.values())
    rng = random.Random(7)
    located = [Viewer(lat=rng.uniform(-60, 70), lon=rng.uniform(-180, 180)) for _ in range(1000)]
    for viewer in located:  # warm-up: time the steady state, not first-call costs
        decide(routing, viewer)
        bare_nearest(regions, viewer.lat, viewer.lon)
    router, bare = [], []
    for i in range(decisions):
        viewer = located[i % len(located)]
        began = time.perf_counter_ns()
        decide(routing, viewer)
        router.append((time.perf_counter_ns() - began) / 1000)
        began = time.perf_counter_ns()
        bare_nearest(regions, viewer.lat, viewer.lon)
        bare.append((time.perf_counter_ns() - began) / 1000)

    codes = routing.codes
    mixed = []
    for i, viewer in enumerate(located):
        if i % 10 == 0:
            mixed.append(Viewer(affinity=rng.choice(codes), lat=viewer.lat, lon=viewer.lon))
        elif i % 10 == 1:
            mixed.append(Viewer(country="DE"))
        else:
            mixed.append(viewer)
    unhealthy = frozenset(codes[:2])
    samples = []
    for i in range(decisions):
        began = time.perf_counter_ns()
        decide(routing, mixed[i % len(mixed)], unhealthy)
        samples.append((time.perf_counter_ns() - began) / 1000)
    return {
        "p50_us": percentile(router, 0.50),
        "p99_us": percentile(router, 0.99),
        "bare_p50_us": percentile(bare, 0.50),
        "bare_p99_us": percentile(bare, 0.99),
        "mixed_p99_us": percentile(samples, 0.99),
    }


def package_sizes() -> dict:
    """(d): the zips exactly as the program builds them, the edge one with its 20-region table."""
    table = routing_table_json(REGION, ROUTER_REGION_CODES, router_origins())
    edge_extra = {f"{edge_contract.PACKAGE_NAME}/{edge_contract.ROUTING_TABLE_FILE}": table}
    return {
        "api": len(build_zip(API_SOURCE, contract.PACKAGE_NAME)),
        "edge": len(build_zip(EDGE_SOURCE, edge_contract.PACKAGE_NAME, extra=edge_extra)),
    }


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(handlers: dict, router: dict, sizes: dict) -> None:
    print(f"{'measure':<36}{'api':>10}{'bare':>10}{'ratio':>9}  target")
    ms = 1000.0
    for shape, measured in handlers.items():
        runs, requests = len(measured["cold"]["api"]), len(measured["warm"]["api"])
        rows = [
            (f"{shape} cold start median, ms (n={runs})", statistics.median, "cold", TARGET_COLD_RATIO),
            (f"{shape} warm p50, ms (n={requests})", lambda s: percentile(s, 0.50), "warm", TARGET_WARM_P50_RATIO),
            (f"{shape} warm p99, ms (n={requests})", lambda s: percentile(s, 0.99), "warm", TARGET_WARM_P99_RATIO),
        ]
        for label, statistic, kind, target in rows:
            api, bare = (statistic(measured[kind][name]) * ms for name in ("api", "bare"))
            ratio = api / bare
            print(f"{label:<36}{api:>10.2f}{bare:>10.2f}{ratio:>8.2f}x  <= {target}x  {_verdict(ratio <= target)}")
            if kind == "cold":
                floor, bare_ms = statistics.median(measured["cold"]["floor"]) * ms, bare
                print(
                    f"{'  bare + Powertools imports, ms':<36}{floor:>10.2f}{bare_ms:>10.2f}{floor / bare_ms:>8.2f}x  (floor)"
                )
        api, bare = (percentile(measured["cpu"][name], 0.50) * 1e6 for name in ("api", "bare"))
        print(
            f"{f'{shape} CPU p50, us (reply canned)':<36}{api:>10.0f}{bare:>10.0f}{api / bare:>8.2f}x  "
            f"the handler's own: {api - bare:.0f} us a request"
        )

    regions = f"{len(ROUTER_REGION_CODES)} regions"
    for label, key in (("p50", "p50_us"), ("p99", "p99_us")):
        ratio = router[key] / router[f"bare_{key}"]
        goal = f"<= {TARGET_ROUTER_P99_RATIO}x  {_verdict(ratio <= TARGET_ROUTER_P99_RATIO)}" if label == "p99" else ""
        print(
            f"{f'router {label}, us ({regions}) vs nearest':<36}{router[key]:>10.2f}{router[f'bare_{key}']:>10.2f}"
            f"{ratio:>8.2f}x  {goal}"
        )
    print(
        f"{'router p99, us (mixed viewers)':<36}{router['mixed_p99_us']:>10.2f}{'':>19}"
        f"< {TARGET_ROUTER_P99_US:.0f} us  {_verdict(router['mixed_p99_us'] < TARGET_ROUTER_P99_US)}"
    )
    print(f"{'api zip, KiB':<36}{sizes['api'] / 1024:>10.1f}")
    print(
        f"{f'edge zip, KiB (with {regions})':<36}{sizes['edge'] / 1024:>10.1f}{'':>19}"
        f"<= {TARGET_EDGE_ZIP_BYTES // 1024} KiB  {_verdict(sizes['edge'] <= TARGET_EDGE_ZIP_BYTES)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: few samples, same measures")
    args = parser.parse_args()
    cold_runs, warm_requests, decisions = (3, 50, 2000) if args.quick else (15, 500, 50000)

    sizes = package_sizes()
    try:
        handlers = measure_handlers(cold_runs, warm_requests)
    except (MinistackUnavailable, RuntimeError, TimeoutError) as error:
        print(f"could not measure the handlers: {error}", file=sys.stderr)
        return 1
    router = measure_router(decisions)
    report(handlers, router, sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
