"""The one catalogue of facts: front doors, backends, regions AWS pins things to, TLS policies,
principals, ranges, names. Config, components, policies, offline tools and ops import them from here.

DOORS and BACKENDS are the registries: one line per door or backend naming its module, which holds its
facts (FACTS) and its component class, imported only when a stack uses it. Adding a front door or a
backend is one new module and one line here (see README, "Adding a front door").
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from functions.api import contract as api_contract
from functions.probe import contract as probe_contract

if TYPE_CHECKING:  # the component classes import pulumi: imported at run time only by door_class / backend_class
    from components.doors.base import FrontDoor
    from components.regional.entries.base import RegionalEntry

_C = TypeVar("_C")

# -- Names ---------------------------------------------------------------------------------------

PROJECT = "global-serverless"  # Pulumi.yaml `name`
NAMESPACE = "global-serverless"  # stack config keys: global-serverless:<key>
HOME_REGION_KEY = "aws:region"
TYPE_PREFIX = "global-serverless:components:"


def component_type(name: str) -> str:
    """The type token of one of our components, e.g. global-serverless:components:GlobalTable."""
    return f"{TYPE_PREFIX}{name}"


# -- Where AWS pins things -----------------------------------------------------------------------

# CloudFront certificates and Lambda@Edge functions exist only here.
EDGE_REGION = "us-east-1"
# Route 53 health-checker regions (AWS wants at least 3 when customised): one per continent, so one
# checker region's network trouble cannot mark every backend down.
ROUTE53_CHECKER_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")

# -- TLS policies --------------------------------------------------------------------------------

ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
API_GATEWAY_SECURITY_POLICY = "TLS_1_2"
CLOUDFRONT_VIEWER_TLS_POLICY = "TLSv1.2_2021"
CLOUDFRONT_ORIGIN_SSL_PROTOCOLS = ("TLSv1.2",)

# -- Service principals --------------------------------------------------------------------------

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
EDGE_LAMBDA_PRINCIPAL = "edgelambda.amazonaws.com"
ELB_PRINCIPAL = "elasticloadbalancing.amazonaws.com"
API_GATEWAY_PRINCIPAL = "apigateway.amazonaws.com"
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"

# Synthetic probes: their metrics' namespace, how often they run, and availability they alarm under.
PROBE_NAMESPACE = probe_contract.NAMESPACE  # the probe function ships alone: its contract owns the name
PROBE_RATE = "rate(1 minute)"
PROBE_RUNS_PER_MONTH = 30 * 24 * 60
PROBE_AVAILABILITY_ALARM = 0.9  # share of successful probes over 5 minutes

# Who writes ALB access logs into a region's bucket. Regions opened before August 2022: that region's
# Elastic Load Balancing account; later regions: the log delivery service principal. Source: the ELB
# user guide, "Enable access logs for your Application Load Balancer", Step 2: Attach a policy to your S3
# bucket (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html;
# the same account table as terraform-provider-aws internal/service/elb/service_account_data_source.go),
# read 2026-12-01. The installed pulumi-aws aws.elb.get_service_account docstring adds that AWS documents the
# service principal for regions opened since Jakarta (ap-southeast-3, December 2021), which has an account
# here too: so a region with an account grants both (components/observability/access_logs.py), a region without one
# the service principal alone.
ELB_LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"
ELB_LOG_ACCOUNTS = {
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-south-1": "718504428378",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "eu-south-1": "635631232127",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
}

# -- Ranges --------------------------------------------------------------------------------------

HEALTH_INTERVALS = (10, 30)  # Route 53 request intervals, seconds
HEALTH_THRESHOLD_RANGE = (1, 10)  # Route 53 failure threshold
MAX_WEIGHT = 255  # Route 53 weighted records take 0-255; the contract wants positive weights
TRAFFIC_DIAL_RANGE = (0, 100)
ACCESS_LOG_DAYS_RANGE = (1, 3650)  # S3 expiry of the ALB access logs
DEFAULT_ACCESS_LOG_DAYS = 90


# -- Front doors and backends (also their registries) ----------------------------------------------
#
# Each door's and backend's facts live in its own module, as `FACTS = DoorFacts(...)` / `BackendFacts(...)`
# beside its component class; the registries below map the config value to that module, one line each.
# Facts are plain literals, read from the module's source without executing it (ast.literal_eval), so
# config, ops, the pack's build step and pure planning read every door's facts without importing pulumi or
# any door's component; the component module is imported only when a stack deploys it (door_class).
# tests/unit/test_registry.py checks that what is read equals what the module defines.


@dataclass(frozen=True)
class Detector:
    """How the pack sees that a door is deployed: resources of `type` (with `prop` set, when given)."""

    type: str
    prop: str = ""  # a property that must be non-empty (a latency record has latencyRoutingPolicies)
    single: bool = False  # one per stack (a second one is an orphan billed by the hour)


@dataclass(frozen=True)
class DoorFacts:
    component: str  # the class of its FrontDoor component, in the door's own module
    needs_domain: bool  # its records live in the hosted zone, so it cannot work without `domain`
    detector: Detector  # what the pack looks for (policies/front_door.py)
    # Clients' TLS and Host reach the regional entry unchanged (DNS or TCP doors), so each entry
    # must serve this door's hostname; CloudFront instead rewrites Host to the regional name.
    passes_client_host: bool
    ipv6: bool  # answers AAAA on its hostname
    needs_domain_reason: str = ""  # why, in the config error
    # What a backend must offer to stand behind it (BackendFacts.offers); empty: any backend.
    requires: tuple[str, ...] = ()
    why_backends: str = ""  # shown when a backend is refused
    needs_edge_region: bool = False  # builds in us-east-1 whatever the stack's regions (certificate, functions)
    # How the door reaches a regional entry (components/security/exposure.py): "client" (clients connect to the
    # entry themselves, so it must be public), "private-network" (the door reaches entries that have no
    # public address), or "edge" (CloudFront: a public custom origin that sends the stack's secret header).
    reaches_entry: str = "client"
    # The hop a backend without TLS (an ALB without a domain) leaves unencrypted behind this door.
    plaintext_hop: str = ""
    # The WAFv2 scope of a web ACL on the door itself, or "" when the door cannot take one.
    web_acl_scope: str = ""
    # The door reaches an entry on a listener of its own, this far above the served port (0: the served port).
    # The function tells the door's requests apart by that port (X-Forwarded-Port): see own_port().
    own_port_offset: int = 0
    # A request header the door adds to every request it routes (the function attributes those to it).
    marks_requests_with: str = ""
    # Traffic dials: "weight" (0-100 honoured as a share), "on-off" (0 removes the region, else all of it).
    dials: str = "weight"
    # Its own health checkers request the health path on the entries (through their web ACLs).
    checks_entries: bool = False
    # Its alarms live in us-east-1 (Route 53 health-check and CloudFront metrics exist only there).
    alarms_in_edge_region: bool = False
    # Alarms the stack gets for this door (ops.cost counts them): per region, and once.
    alarms_per_region: int = 0
    alarms_per_stack: int = 0
    # Price lines (ops/data/prices.json "section.key") and the usage each is billed on (ops/cost.py UNITS).
    cost: tuple[tuple[str, str], ...] = ()
    carries_egress: bool = False  # answers leave through the door (not billed as the entries' internet egress)
    # Failover (ops/report.py FAILOVER_MODELS): how a dead region stops getting requests.
    failover: str = ""
    overhead_ms: float = 0.0  # what the door adds to a round trip in the report's latency model
    colour: str = "tab:gray"  # the report's bar colour
    # Single-door records earlier releases kept on the main name (record type -> logical name).
    legacy_main_records: tuple[tuple[str, str], ...] = ()

    def own_port(self, public_port: int) -> int | None:
        """The entry's listener for this door, for one of the door's public ports (None: the served port)."""
        return public_port + self.own_port_offset if self.own_port_offset else None

    @property
    def backends(self) -> tuple[str, ...]:
        """The backends that offer what this door requires."""
        return tuple(b for b in BACKENDS if set(self.requires) <= set(BACKENDS[b].offers))


@dataclass(frozen=True)
class BackendFacts:
    component: str  # the class of its RegionalEntry component, in the backend's own module
    description: str
    https_without_domain: bool  # serves HTTPS on an AWS-owned name when the stack has no domain
    # Resource types that are this entry (what clients reach): the pack's entry detector.
    entry_types: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()  # what doors may require of it (DoorFacts.requires)
    # The entry can be made internal (no public address): doors that reach entries privately use that.
    private_network: bool = False
    # Guard kind. The entry routes by listener rules (an ALB): it refuses requests without the origin secret itself.
    listener_rules: bool = False
    # The entry cannot check a header itself, so the function does (functions/api/access/origin_guard.py).
    origin_guard_in_function: bool = False
    takes_web_acl: bool = False  # a REGIONAL WAFv2 web ACL can be associated with it (HTTP APIs cannot)
    # Its own security summary lines (offline plan), with and without a domain.
    summary_with_domain: str = ""
    summary_without_domain: str = ""
    alarms_per_region: int = 4  # entry 5xx, function p99, throttles, the live alias's errors (and an ALB's own 5xx)
    # Price lines and the usage each is billed on (ops/cost.py UNITS), like DoorFacts.cost.
    cost: tuple[tuple[str, str], ...] = ()
    metrics_per_route: int = 0  # detailed metrics each route adds (HTTP API detailed metrics)


class Registry(Mapping):
    """key -> facts, read lazily from each key's module (`FACTS = ...`, literals only)."""

    def __init__(self, kind: type, modules: dict[str, str]):
        self._kind = kind
        self.modules = modules
        self._facts: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        module = self.modules[key]
        cached = self._facts.get(key)
        if cached is None or cached[0] != module:
            cached = self._facts[key] = (module, read_facts(module, self._kind))
        return cached[1]

    def __setitem__(self, key: str, module: str) -> None:  # a test registers a throwaway module
        self.modules[key] = module

    def __delitem__(self, key: str) -> None:
        del self.modules[key]
        self._facts.pop(key, None)

    def __iter__(self):
        return iter(self.modules)

    def __len__(self) -> int:
        return len(self.modules)


def read_facts(module: str, kind: type) -> Any:
    """The module's `FACTS = Kind(keyword=literal, ...)`, without importing the module (nor its packages)."""
    path = module_source(module)
    tree = ast.parse(path.read_text(), str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["FACTS"]:
            call = node.value
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == kind.__name__ and not call.args:
                return kind(**_keywords(call, module))
    raise LookupError(f"{module}: no FACTS = {kind.__name__}(keyword=literal, ...) at its top level")


def module_source(module: str) -> Path:
    """The file of a module, found without importing its packages (components.doors imports pulumi)."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is not None and not rest and spec.origin:
        return Path(spec.origin)
    for location in () if spec is None else spec.submodule_search_locations or ():
        base = Path(location).joinpath(*rest[:-1])
        for candidate in (base / f"{rest[-1]}.py", base / rest[-1] / "__init__.py"):
            if candidate.is_file():
                return candidate
    raise LookupError(f"{module}: no such module (registered in components/registry.py)")


def _keywords(call: ast.Call, module: str) -> dict[str, Any]:
    """A facts call's `keyword=literal` arguments; `**mapping` is not a literal."""
    values: dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            raise LookupError(f"{module}: FACTS takes keyword=literal arguments, not **mapping (facts are plain data)")
        values[keyword.arg] = _literal(keyword.value, module, keyword.arg)
    return values


def _literal(node: ast.expr, module: str, name: str) -> Any:
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == Detector.__name__ and not node.args:
        return Detector(**_keywords(node, module))
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise LookupError(f"{module}: FACTS {name}= is not a literal (facts are plain data)") from None


DOORS: Registry = Registry(
    DoorFacts,
    {
        "route53": "components.doors.route53_latency",
        "globalaccelerator": "components.doors.global_accelerator",
        "cloudfront": "components.doors.cloudfront_edge",
    },
)
BACKENDS: Registry = Registry(
    BackendFacts, {"alb": "components.regional.entries.alb", "apigateway": "components.regional.entries.http_api"}
)

DEFAULT_BACKEND = "apigateway"
DEFAULT_FRONT_DOOR = "cloudfront"


def door_class(strategy: str) -> type[FrontDoor]:
    """The door's FrontDoor component class, imported on first use."""
    from components.doors.base import FrontDoor

    return _component_class(DOORS.modules[strategy], DOORS[strategy].component, FrontDoor)


def backend_class(backend: str) -> type[RegionalEntry]:
    """The backend's RegionalEntry component class, imported on first use."""
    from components.regional.entries.base import RegionalEntry

    return _component_class(BACKENDS.modules[backend], BACKENDS[backend].component, RegionalEntry)


def _component_class(module: str, name: str, base: type[_C]) -> type[_C]:
    found = getattr(importlib.import_module(module), name)
    if not (isinstance(found, type) and issubclass(found, base)):
        raise LookupError(f"{module}: {name} (its FACTS component) is not a {base.__name__} subclass")
    return found


def door_type(strategy: str) -> str:
    """The type token of a door's component (named after its class)."""
    return component_type(DOORS[strategy].component)


def strategies() -> tuple[str, ...]:
    return tuple(DOORS)


def backends() -> tuple[str, ...]:
    return tuple(BACKENDS)


def served_port(has_domain: bool) -> int:
    """The port an entry serves clients on: HTTPS with a domain (a certificate), plain HTTP without one."""
    return 443 if has_domain else 80


def own_port(strategy: str, public_port: int) -> int | None:
    """Where an entry listens for a door that reaches it on a listener of its own, for one of the door's
    public ports; None for a door that uses the served port."""
    return DOORS[strategy].own_port(public_port)


def doors_by_reach(strategies: tuple[str, ...], reaches_entry: str) -> tuple[str, ...]:
    return tuple(s for s in strategies if DOORS[s].reaches_entry == reaches_entry)


def pack_facts() -> dict:
    """What the policy pack knows of every door and backend (JSON-able; offline/pack_build.py copies it
    into the pack): detectors, reach, ports, scopes, entry types, and the methods that need a token."""
    return {
        "doors": {
            key: {
                "detector": {"type": f.detector.type, "prop": f.detector.prop, "single": f.detector.single},
                "reaches_entry": f.reaches_entry,
                # The entry's listener ports of the door's own, for clients on 80 and 443 (empty: none).
                "own_ports": sorted(p for p in (f.own_port(80), f.own_port(443)) if p is not None),
                "web_acl_scope": f.web_acl_scope,
                "needs_edge_region": f.needs_edge_region,
                "backends": list(f.backends),
            }
            for key, f in DOORS.items()
        },
        "backends": {
            key: {
                "entry_types": list(f.entry_types),
                "listener_rules": f.listener_rules,
                "origin_guard_in_function": f.origin_guard_in_function,
                "takes_web_acl": f.takes_web_acl,
            }
            for key, f in BACKENDS.items()
        },
        # The item routes' methods an entry checks tokens on, without and with auth.protectReads.
        "token_methods": {
            "writes": list(api_contract.item_token_methods(False)),
            "protect_reads": list(api_contract.item_token_methods(True)),
        },
    }


# -- Origin protection ---------------------------------------------------------------------------

# CloudFront adds this header, with the stack's origin secret, to every origin request; an entry that
# enforces the "secret-header" guard answers 403 without it (the function checks it too: its contract
# owns the name, as it ships alone).
ORIGIN_SECRET_HEADER = api_contract.ORIGIN_SECRET_HEADER
# The AWS-managed prefix list of CloudFront's origin-facing addresses (every commercial region).
CLOUDFRONT_ORIGIN_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
# Letters and digits only: ALB header conditions treat * and ? as wildcards.
ORIGIN_SECRET_LENGTH = 40
# Each version's accept rules take ALB listener priorities of their own (two of 1-50000, a few kept for
# other rules), so any two versions, old and new side by side during a rotation, never claim the same one.
MAX_ORIGIN_SECRET_VERSION = 24_000


# -- WAF -----------------------------------------------------------------------------------------

# Rate-based rules count requests per client IP over a 5-minute window; AWS takes limits from 10 to
# 2,000,000,000 (AWS WAF developer guide, "Rate-based rule statement", read 2026-12-01).
WAF_RATE_LIMIT_RANGE = (10, 2_000_000_000)
WAF_RATE_WINDOW_SECONDS = 300
# AWS managed rule groups every web ACL carries, with the rules it only counts. The core rule set's
# SizeRestrictions_BODY blocks bodies over 8 KB; the API takes JSON bodies up to 64 KiB and checks the
# size itself (functions/api/contract.py MAX_BODY_BYTES), so that rule only counts.
WAF_MANAGED_RULE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AWSManagedRulesCommonRuleSet", ("SizeRestrictions_BODY",)),
    ("AWSManagedRulesKnownBadInputsRuleSet", ()),
)


# -- The table -----------------------------------------------------------------------------------

TABLE_CONSISTENCY_MODES: tuple[str, ...] = ("eventual", "strong")
# DynamoDB multi-Region strong consistency (MRSC): exactly three Regions of one set (three replicas, or
# two and a witness, which holds no data API), chosen at creation and never changed; no TTL, no
# transactions, no LSIs. Source: AWS DynamoDB developer guide, "Multi-Region strong consistency", and
# the CloudFormation GlobalTableWitness reference (region sets), read 2026-12-01.
MRSC_REGION_SETS: dict[str, tuple[str, ...]] = {
    "US": ("us-east-1", "us-east-2", "us-west-2"),
    "EU": ("eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"),
    "AP": ("ap-northeast-1", "ap-northeast-2", "ap-northeast-3"),
}
MRSC_REGION_COUNT = 3


def mrsc_set_of(region: str) -> str | None:
    return next((name for name, members in MRSC_REGION_SETS.items() if region in members), None)
