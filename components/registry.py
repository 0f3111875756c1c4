"""The one catalogue of facts: front doors, backends, regions AWS pins things to, TLS policies,
principals, ranges, names. Config, components, policies, offline tools and ops import them from here.

The DOORS and BACKENDS entries are also the registries: each names the component class that builds
it ("module:Class"), imported only when a stack uses it. Adding a front door or a backend is one new
module and one entry here (see README, "Adding a front door").
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from functions.api import contract as api_contract
from functions.probe import contract as probe_contract

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


def load_component(path: str) -> Any:
    """The class a "module:Class" path names, imported on first use."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class DoorFacts:
    component: str  # "module:Class" of its FrontDoor component
    needs_domain: bool  # its records live in the hosted zone, so it cannot work without `domain`
    backends: tuple[str, ...]  # regional entries it can put in front of
    # Clients' TLS and Host reach the regional entry unchanged (DNS or TCP doors), so each entry
    # must serve this door's hostname; CloudFront instead rewrites Host to the regional name.
    passes_client_host: bool
    ipv6: bool  # answers AAAA on its hostname
    needs_edge_region: bool = False  # builds in us-east-1 whatever the stack's regions (certificate, functions)
    why_backends: str = ""  # shown when a backend is refused
    # How the door reaches a regional entry (components/security/exposure.py): "client" (clients connect to the
    # entry themselves, so it must be public), "private-network" (the door reaches entries that have no
    # public address), or "edge" (CloudFront: a public custom origin that sends the stack's secret header).
    reaches_entry: str = "client"
    # The hop a backend without TLS (an ALB without a domain) leaves unencrypted behind this door.
    plaintext_hop: str = ""
    # The WAFv2 scope of a web ACL on the door itself, or "" when the door cannot take one.
    web_acl_scope: str = ""


@dataclass(frozen=True)
class BackendFacts:
    component: str  # "module:Class" of its RegionalEntry component
    description: str
    https_without_domain: bool  # serves HTTPS on an AWS-owned name when the stack has no domain
    # The entry can be made internal (no public address): doors that reach entries privately use that.
    private_network: bool = False
    # The entry routes by listener rules (an ALB): it refuses requests without the origin secret itself.
    listener_rules: bool = False
    # The entry cannot check a header itself, so the function does (functions/api/origin_guard.py).
    origin_guard_in_function: bool = False
    takes_web_acl: bool = False  # a REGIONAL WAFv2 web ACL can be associated with it (HTTP APIs cannot)


DOORS: dict[str, DoorFacts] = {
    "route53": DoorFacts(
        component="components.doors.route53_latency:Route53LatencyFrontDoor",
        needs_domain=True,
        backends=("alb", "apigateway"),
        passes_client_host=True,
        ipv6=False,
        plaintext_hop="clients -> ALB is plain HTTP",
    ),
    "globalaccelerator": DoorFacts(
        component="components.doors.global_accelerator:GlobalAcceleratorFrontDoor",
        needs_domain=False,
        backends=("alb",),
        passes_client_host=True,
        ipv6=False,
        why_backends="Global Accelerator endpoints are ALB, NLB, EC2 or Elastic IP only",
        plaintext_hop="clients -> Global Accelerator -> ALB is plain HTTP on port 80",
        # GA reaches internal ALBs (the VPC keeps the internet gateway GA requires).
        reaches_entry="private-network",
    ),
    "cloudfront": DoorFacts(
        component="components.doors.cloudfront_edge:CloudFrontEdgeFrontDoor",
        needs_domain=False,
        backends=("alb", "apigateway"),
        passes_client_host=False,
        ipv6=True,
        needs_edge_region=True,
        reaches_entry="edge",
        plaintext_hop="CloudFront -> ALB is plain HTTP across the internet",
        web_acl_scope="CLOUDFRONT",
    ),
}

BACKENDS: dict[str, BackendFacts] = {
    "alb": BackendFacts(
        component="components.regional.entries.alb:AlbEntry",
        description="Application Load Balancer in a small VPC, Lambda target group",
        https_without_domain=False,
        private_network=True,
        listener_rules=True,
        takes_web_acl=True,
    ),
    "apigateway": BackendFacts(
        component="components.regional.entries.http_api:HttpApiEntry",
        description="API Gateway HTTP API, Lambda proxy integration, REGIONAL domains",
        https_without_domain=True,
        origin_guard_in_function=True,
    ),
}

DEFAULT_BACKEND = "apigateway"
DEFAULT_FRONT_DOOR = "cloudfront"


def door_type(strategy: str) -> str:
    """The type token of a door's component (named after its class)."""
    return component_type(DOORS[strategy].component.rpartition(":")[2])


def strategies() -> tuple[str, ...]:
    return tuple(DOORS)


def backends() -> tuple[str, ...]:
    return tuple(BACKENDS)


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
