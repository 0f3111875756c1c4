"""Route 53: health-checked latency records, short TTLs on routed records, robust health checks."""

from collections import defaultdict
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies import tokens as t
from policies.common import config_int, constant, elements, get, is_unknown, message, number, show
from policies.graph import StackGraph

DEFAULT_MAX_TTL_SECONDS = 60
DEFAULT_MIN_CHECKER_REGIONS = 3
REQUEST_INTERVALS: tuple[int, ...] = constant("HEALTH_INTERVALS")
FAILURE_THRESHOLD_RANGE: tuple[int, int] = constant("HEALTH_THRESHOLD_RANGE")
ENDPOINT_CHECK_TYPES = ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP")
_LIST_ROUTING_POLICIES = (
    "latencyRoutingPolicies",
    "weightedRoutingPolicies",
    "failoverRoutingPolicies",
    "geolocationRoutingPolicies",
)
_SINGLE_ROUTING_POLICIES = ("geoproximityRoutingPolicy", "cidrRoutingPolicy")


def is_latency_record(props: Any) -> bool:
    return bool(list(elements(props, "latencyRoutingPolicies")))


def is_routed_record(props: Any) -> bool:
    """A record Route 53 chooses among (latency, weighted, failover, ...): its TTL delays failover."""
    return (
        any(list(elements(props, key)) for key in _LIST_ROUTING_POLICIES)
        or any(get(props, key) is not None for key in _SINGLE_ROUTING_POLICIES)
        or get(props, "multivalueAnswerRoutingPolicy") is True
    )


def _record_name(props: Any) -> str:
    return show(get(props, "name"))


# -- latency-record-health-checked ------------------------------------------------------------


def _health_checked(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.ROUTE53_RECORD or not is_latency_record(args.props):
        return
    health_check = get(args.props, "healthCheckId")
    if health_check:  # set, or unknown until the health check exists: either way it is wired
        return
    if is_unknown(get(args.props, "aliases")):
        return
    aliases = list(elements(args.props, "aliases"))
    evaluations = [get(a, "evaluateTargetHealth") for a in aliases]
    if aliases and all(e is True or is_unknown(e) for e in evaluations):
        return
    what = (
        f"its alias has evaluateTargetHealth {show(evaluations[0] if evaluations else None)}"
        if aliases
        else "it is not an alias"
    )
    report_violation(
        message(
            args,
            f"latency record {_record_name(args.props)} (set {show(get(args.props, 'setIdentifier'))}) has no "
            f"healthCheckId and {what}: Route 53 keeps answering with this region when it is down",
            "set health_check_id to the region's aws.route53.HealthCheck, and evaluate_target_health=True on the alias",
        ),
        None,
    )


LATENCY_RECORD_HEALTH_CHECKED = ResourceValidationPolicy(
    name="latency-record-health-checked",
    description="Every latency record is health-checked (healthCheckId, or an alias evaluating target health).",
    validate=_health_checked,
)


# -- latency-record-unique-set-identifier -----------------------------------------------------


def _record_key(record: Any) -> Any:
    zone, name, type_ = (get(record.props, k) for k in ("zoneId", "name", "type"))
    if any(is_unknown(v) for v in (name, type_)):
        return None
    return (None if is_unknown(zone) else zone, str(name).rstrip(".").lower(), type_)


def _unique_set_identifiers(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    record_sets: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for record in graph.of_type(t.ROUTE53_RECORD):
        if not is_latency_record(record.props):
            continue
        identifier = get(record.props, "setIdentifier")
        if is_unknown(identifier):
            continue
        if not identifier:
            report_violation(
                message(
                    record,
                    f"latency record {_record_name(record.props)} has no setIdentifier",
                    "set set_identifier to the region code",
                ),
                record.urn,
            )
            continue
        key = _record_key(record)
        if key is not None:
            record_sets[key][identifier].append(record)
    for (_, name, type_), identifiers in record_sets.items():
        for identifier, records in identifiers.items():
            if len(records) > 1:
                for record in records:
                    report_violation(
                        message(
                            record,
                            f"{len(records)} latency records for {name} {type_} share setIdentifier "
                            f"{identifier} ({', '.join(r.name for r in records)})",
                            "give each region's record set_identifier=<region code>",
                        ),
                        record.urn,
                    )


LATENCY_RECORD_UNIQUE_SET_IDENTIFIER = StackValidationPolicy(
    name="latency-record-unique-set-identifier",
    description="Latency records of one name and type each carry a set identifier, unique among them.",
    validate=_unique_set_identifiers,
)


# -- dns-record-max-ttl -----------------------------------------------------------------------


def _max_ttl(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.ROUTE53_RECORD or not is_routed_record(args.props):
        return
    if is_unknown(get(args.props, "aliases")) or list(elements(args.props, "aliases")):
        return  # alias records take the target's TTL
    maximum = config_int(args, "maxTtlSeconds", DEFAULT_MAX_TTL_SECONDS)
    ttl = get(args.props, "ttl")
    if is_unknown(ttl):
        return
    seconds = number(ttl)
    if seconds is None or seconds > maximum:
        report_violation(
            message(
                args,
                f"routed record {_record_name(args.props)} has ttl {show(ttl)}: resolvers keep a failed "
                f"region's answer that long after Route 53 stops returning it (limit {maximum} s)",
                f"set ttl={maximum} or less, or make it an alias record",
            ),
            None,
        )


DNS_RECORD_MAX_TTL = ResourceValidationPolicy(
    name="dns-record-max-ttl",
    description="Non-alias records with a routing policy (latency, weighted, failover...) have a TTL of at most "
    "`maxTtlSeconds`.",
    validate=_max_ttl,
    config_schema=PolicyConfigSchema(
        properties={"maxTtlSeconds": {"type": "integer", "minimum": 0, "default": DEFAULT_MAX_TTL_SECONDS}}
    ),
)


# -- health-check-checker-regions -------------------------------------------------------------


def _checker_regions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.ROUTE53_HEALTH_CHECK or get(args.props, "type") not in ENDPOINT_CHECK_TYPES:
        return
    regions = get(args.props, "regions")
    if regions is None or is_unknown(regions):
        return  # not customised: Route 53 checks from all of its checker regions
    minimum = config_int(args, "minCheckerRegions", DEFAULT_MIN_CHECKER_REGIONS)
    listed = [show(r) for r in elements(args.props, "regions")]
    if len(listed) < minimum:
        report_violation(
            message(
                args,
                f"checks from {len(listed)} checker region(s) {show(listed)}; one region's network trouble could "
                f"mark a healthy backend down (at least {minimum} needed)",
                f"list at least {minimum} checker regions on different continents, e.g. us-east-1, eu-west-1, "
                "ap-southeast-1",
            ),
            None,
        )


HEALTH_CHECK_CHECKER_REGIONS = ResourceValidationPolicy(
    name="health-check-checker-regions",
    description="Endpoint health checks that choose their checker regions list at least `minCheckerRegions`.",
    validate=_checker_regions,
    config_schema=PolicyConfigSchema(
        properties={"minCheckerRegions": {"type": "integer", "minimum": 3, "default": DEFAULT_MIN_CHECKER_REGIONS}}
    ),
)


# -- health-check-request-interval ------------------------------------------------------------


def _interval(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.ROUTE53_HEALTH_CHECK or get(args.props, "type") not in ENDPOINT_CHECK_TYPES:
        return
    interval = get(args.props, "requestInterval")
    seconds = number(interval)
    if interval is not None and not is_unknown(interval) and seconds not in REQUEST_INTERVALS:
        report_violation(
            message(
                args,
                f"requestInterval is {show(interval)}; Route 53 checks every 10 (fast) or 30 seconds",
                "set request_interval to 10 or 30 (global-serverless:healthCheck.intervalSeconds)",
            ),
            None,
        )
    threshold = get(args.props, "failureThreshold")
    low, high = FAILURE_THRESHOLD_RANGE
    count = number(threshold)
    if threshold is not None and not is_unknown(threshold) and (count is None or not low <= count <= high):
        report_violation(
            message(
                args,
                f"failureThreshold is {show(threshold)}; Route 53 accepts {low}-{high}",
                "set failure_threshold between 1 and 10 (3 is the AWS default)",
            ),
            None,
        )


HEALTH_CHECK_REQUEST_INTERVAL = ResourceValidationPolicy(
    name="health-check-request-interval",
    description="Endpoint health checks run every 10 or 30 seconds with a failure threshold of 1-10.",
    validate=_interval,
)
