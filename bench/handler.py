"""Benchmark the API handler against its floor and a bare boto3 handler, the edge router, and both packages' sizes.

    .venv/bin/python bench/handler.py [--quick]

Side by side in one run, against DynamoDB and SSM served by ministack on 127.0.0.1 (started here, stopped at
the end), for ALB events and HTTP API (payload 2.0) events alike. Every handler answers the same request,
GET /items/{id} of one stored item, with the same DynamoDB call (a consistent GetItem):
  (a) cold start: a fresh interpreter imports the handler module and serves its first request; the clock runs
      from before the import to the answer (Lambda's init plus the first invoke). The API handler, from the zip
      the program deploys, against the FLOOR: the bare handler below plus the imports of the Powertools modules
      the API keeps (checked in the same run: a Powertools module the API loads and the floor does not is
      reported). Goal: <= 1.1x the floor. Runs rotate API, floor and bare so drift hits them alike. The packages
      carry no bytecode and none is written (PYTHONDONTWRITEBYTECODE): each cold start compiles its own modules
      from source, as on Lambda, whose /var/task is read-only; site-packages keep the bytecode they were
      installed with.
  (b) warm latency per request: the API handler and the BARE handler (boto3 alone) in one interpreter, request
      by request alternately. Goal: p50 <= 1.1x bare; p99 shown. Then the same requests with DynamoDB's reply
      canned inside botocore's send loop, which leaves each handler's own CPU per request.
  (c) the edge router's decision time (p50/p99) with a 20-region routing table;
  (d) zipped sizes of the api and edge packages.
Prints ratios against baselines measured in the same run (the machine is shared: absolute times mean little),
and whether each goal is met; a full run writes the handler's figures to bench/results/handler.json, which the
docs quote. Never fails on a slow figure (exit 1 only when something could not be measured).
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
from datetime import UTC, datetime
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
RESULTS = ROOT / "bench" / "results" / "handler.json"

GOAL_COLD_OVER_FLOOR = 1.1  # issue 21's goals
GOAL_WARM_P50_OVER_BARE = 1.1
TARGET_ROUTER_P99_US = 100.0
TARGET_ROUTER_P99_RATIO = 1.5  # against a bare nearest-region lookup
TARGET_EDGE_ZIP_BYTES = 20 * 1024

# The baseline: the same DynamoDB call with nothing but boto3 (no framework, no chaos, no checks).
BARE_HANDLER = f'''\
import json
import os

import boto3

_client = boto3.client("dynamodb")
_table = os.environ["{contract.ENV_TABLE_NAME}"]


def handler(event, context):
    item_id = (event.get("path") or event["rawPath"]).rsplit("/", 1)[-1]  # ALB or HTTP API payload 2.0
    key = {{"{contract.TABLE_HASH_KEY}": {{"{contract.TABLE_HASH_KEY_TYPE}": item_id}}}}
    item = _client.get_item(TableName=_table, Key=key, ConsistentRead=True).get("Item")
    return {{"statusCode": 200 if item else 404, "body": json.dumps(item)}}
'''

# The Powertools modules the API keeps at cold start (logging, metrics, routing for both event shapes). The
# idempotency utility is not among them: the API imports it on the first request that carries a key.
FLOOR_IMPORTS = (
    "from aws_lambda_powertools import Logger, Metrics  # noqa: F401\n"
    "from aws_lambda_powertools.event_handler import ALBResolver, APIGatewayHttpResolver  # noqa: F401\n"
)
# The floor under the cold-start goal: the bare handler plus those imports, and nothing else.
FLOOR_HANDLER = FLOOR_IMPORTS + BARE_HANDLER

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

# Runs in a fresh interpreter: only the stdlib before the clock starts, so the cold figure is the handler
# module's import and its first request. argv: code dir, handler path, event file, out.
CHILD = r"""
import json, sys, time, uuid
code_dir, handler_path, event_file, out = sys.argv[1:5]
event = json.load(open(event_file))

__CONTEXT__

started, cpu = time.perf_counter(), time.process_time()
sys.path.insert(0, code_dir)
module_name, _, function_name = handler_path.rpartition(".")
handler = getattr(__import__(module_name, fromlist=[function_name]), function_name)
status = handler(event, Context())["statusCode"]
cold, cpu = time.perf_counter() - started, time.process_time() - cpu
powertools = sorted(m for m in sys.modules if m.partition(".")[0] == "aws_lambda_powertools")
json.dump({"cold": cold, "cpu": cpu, "statuses": [status], "powertools": powertools}, open(out, "w"))
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
for i in range(20 + int(count)):
    for name, handler in (handlers.items() if i % 2 else reversed(handlers.items())):
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
    for name, handler in (handlers.items() if i % 2 else reversed(handlers.items())):
        began = time.perf_counter()
        statuses.append(handler(event, Context())["statusCode"])
        if i >= 200:
            cpu[name].append(time.perf_counter() - began)
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

    def run(self, event: dict) -> dict:
        """Import the handler in a fresh interpreter and serve `event`, its first request."""
        event_file = self.workdir / f"{self.name}-event.json"
        event_file.write_text(json.dumps(event))
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


def measure_warm(
    api: "HandlerRunner", bare: "HandlerRunner", event: dict, count: int, workdir: Path
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Warm latencies of both handlers, alternating request by request in one interpreter, then their CPU
    per request (DynamoDB's reply canned): each {handler name: seconds per request}."""
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
        "PYTHONDONTWRITEBYTECODE": "1",  # /var/task is read-only: every cold start compiles the package
    }


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_handlers(cold_runs: int, warm_requests: int) -> dict:
    """(a) and (b) for each event shape: cold starts rotating api, floor and bare, then one warm run."""
    with Ministack() as ms, tempfile.TemporaryDirectory(prefix="bench-handler-") as tmp:
        workdir = Path(tmp)
        deploy.create_global_table(ms, TABLE_NAME, REGION)
        deploy.put_chaos(ms, REGION, CHAOS_PARAMETER)

        api_dir, bare_dir = workdir / "api-code", workdir / "bare-code"
        with zipfile.ZipFile(io.BytesIO(build_zip(API_SOURCE, contract.PACKAGE_NAME))) as archive:
            archive.extractall(api_dir)
        bare_dir.mkdir()
        (bare_dir / "bare_handler.py").write_text(BARE_HANDLER)
        (bare_dir / "floor_handler.py").write_text(FLOOR_HANDLER)

        environment = handler_environment(ms)
        api = HandlerRunner("api", api_dir, contract.HANDLER, environment, workdir)
        floor = HandlerRunner("floor", bare_dir, "floor_handler.handler", environment, workdir)
        bare = HandlerRunner("bare", bare_dir, "bare_handler.handler", environment, workdir)
        runners = (api, floor, bare)

        # The item every handler reads, written by the API itself so it has the API's own shape.
        api.run(alb_event("PUT", f"/items/{ITEM_ID}", json.dumps({"bench": True, "payload": "x" * 256})))

        results = {}
        for shape, build in EVENT_SHAPES.items():
            get = build("GET", f"/items/{ITEM_ID}")
            cold = {runner.name: [] for runner in runners}
            cpu = {runner.name: [] for runner in runners}
            powertools = {}
            for round_ in range(cold_runs):
                turn = round_ % len(runners)
                for runner in runners[turn:] + runners[:turn]:
                    run = runner.run(get)
                    cold[runner.name].append(run["cold"])
                    cpu[runner.name].append(run["cpu"])
                    powertools[runner.name] = run["powertools"]
            warm, warm_cpu = measure_warm(api, bare, get, warm_requests, workdir)
            results[shape] = {
                "cold": cold,
                "cold_cpu": cpu,
                "warm": warm,
                "cpu": warm_cpu,
                "beyond_floor": sorted(set(powertools["api"]) - set(powertools["floor"])),
            }
    return results


def handler_figures(measured: dict) -> dict:
    """The ratios of one event shape, rounded for the record."""
    cold = {name: statistics.median(samples) for name, samples in measured["cold"].items()}
    cold_cpu = {name: statistics.median(samples) for name, samples in measured["cold_cpu"].items()}
    warm = {name: (percentile(s, 0.50), percentile(s, 0.99)) for name, s in measured["warm"].items()}
    cpu = {name: percentile(samples, 0.50) for name, samples in measured["cpu"].items()}
    cold_ratio = cold["api"] / cold["floor"]
    warm_ratio = warm["api"][0] / warm["bare"][0]
    return {
        "cold_over_floor": round(cold_ratio, 3),
        "cold_goal_met": cold_ratio <= GOAL_COLD_OVER_FLOOR and not measured["beyond_floor"],
        "warm_p50_over_bare": round(warm_ratio, 3),
        "warm_goal_met": warm_ratio <= GOAL_WARM_P50_OVER_BARE,
        "cold_cpu_over_floor": round(cold_cpu["api"] / cold_cpu["floor"], 3),
        "cold_over_bare": round(cold["api"] / cold["bare"], 3),
        "floor_over_bare": round(cold["floor"] / cold["bare"], 3),
        "warm_p99_over_bare": round(warm["api"][1] / warm["bare"][1], 3),
        "own_cpu_p50_over_bare": round(cpu["api"] / cpu["bare"], 3),
        "powertools_beyond_floor": measured["beyond_floor"],
    }


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
    # The coordinates kept beside the viewers: the bare lookup takes floats, a Viewer's may be None.
    points = [(rng.uniform(-60, 70), rng.uniform(-180, 180)) for _ in range(1000)]
    located = [Viewer(lat=lat, lon=lon) for lat, lon in points]
    for viewer, (lat, lon) in zip(located, points, strict=True):  # warm-up: the steady state, not first calls
        decide(routing, viewer)
        bare_nearest(regions, lat, lon)
    router, bare = [], []
    for i in range(decisions):
        viewer, (lat, lon) = located[i % len(located)], points[i % len(points)]
        began = time.perf_counter_ns()
        decide(routing, viewer)
        router.append((time.perf_counter_ns() - began) / 1000)
        began = time.perf_counter_ns()
        bare_nearest(regions, lat, lon)
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


def report(handlers: dict, figures: dict, router: dict, sizes: dict) -> None:
    for shape, measured in handlers.items():
        f = figures[shape]
        runs, requests = len(measured["cold"]["api"]), len(measured["warm"]["api"])
        print(
            f"{f'{shape} cold start, api / floor (n={runs})':<44}{f['cold_over_floor']:>7.2f}x  "
            f"<= {GOAL_COLD_OVER_FLOOR}x  {_verdict(f['cold_goal_met'])}"
        )
        if f["powertools_beyond_floor"]:
            print(f"  the API loads Powertools modules the floor does not: {', '.join(f['powertools_beyond_floor'])}")
        print(f"{'  CPU time, api / floor':<44}{f['cold_cpu_over_floor']:>7.2f}x")
        print(f"{'  api / bare boto3 handler':<44}{f['cold_over_bare']:>7.2f}x")
        print(f"{'  floor / bare boto3 handler':<44}{f['floor_over_bare']:>7.2f}x")
        print(
            f"{f'{shape} warm p50, api / bare (n={requests})':<44}{f['warm_p50_over_bare']:>7.2f}x  "
            f"<= {GOAL_WARM_P50_OVER_BARE}x  {_verdict(f['warm_goal_met'])}"
        )
        print(f"{'  warm p99, api / bare':<44}{f['warm_p99_over_bare']:>7.2f}x")
        print(f"{'  own CPU p50 (reply canned), api / bare':<44}{f['own_cpu_p50_over_bare']:>7.2f}x")

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


def record(figures: dict, cold_runs: int, warm_requests: int) -> None:
    """The figures the docs quote: ratios only (this machine's absolute times mean little elsewhere)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cold_runs": cold_runs,
        "warm_requests": warm_requests,
        "goals": {"cold_over_floor": GOAL_COLD_OVER_FLOOR, "warm_p50_over_bare": GOAL_WARM_P50_OVER_BARE},
        **figures,
        "all_goals_met": all(f["cold_goal_met"] and f["warm_goal_met"] for f in figures.values()),
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


def main() -> int:
    # No description under python -OO, which strips docstrings (__doc__ is then None).
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: few samples, same measures")
    parser.add_argument("--no-record", action="store_true", help=f"do not write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()
    cold_runs, warm_requests, decisions = (3, 50, 2000) if args.quick else (21, 1000, 50000)

    sizes = package_sizes()
    try:
        handlers = measure_handlers(cold_runs, warm_requests)
    except (MinistackUnavailable, RuntimeError, TimeoutError) as error:
        print(f"could not measure the handlers: {error}", file=sys.stderr)
        return 1
    figures = {shape: handler_figures(measured) for shape, measured in handlers.items()}
    router = measure_router(decisions)
    report(handlers, figures, router, sizes)
    if not (args.quick or args.no_record):  # a smoke run's few samples are not worth quoting
        record(figures, cold_runs, warm_requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
