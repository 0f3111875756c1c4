"""Global Accelerator: one endpoint group per region, ALB endpoints only, client IPs preserved."""

import re
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
from policies.common import EXPECTED_REGIONS_PROPERTY, config_list, elements, get, is_unknown, message, show
from policies.graph import StackGraph

_ALB_ARN = re.compile(r"^arn:aws[\w-]*:elasticloadbalancing:(?P<region>[\w-]+):\d{12}:loadbalancer/app/")


# -- ga-endpoint-group-per-region -------------------------------------------------------------


def _groups_by_listener(graph: StackGraph) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for group in graph.of_type(t.GA_ENDPOINT_GROUP):
        listeners = graph.linked(group, "listenerArn", get(group.props, "listenerArn"), (t.GA_LISTENER,), ("arn",))
        groups[listeners[0].urn if listeners else None].append(group)
    return groups


def _endpoint_group_per_region(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    expected = config_list(args, "expectedRegions")
    if expected is None:
        expected = graph.backend_regions()
    for listener_urn, groups in _groups_by_listener(graph).items():
        listener = graph.by_urn.get(listener_urn)
        owner = f"listener '{listener.name}'" if listener is not None else "the accelerator"
        regions = [get(g.props, "endpointGroupRegion") for g in groups]
        if any(is_unknown(r) for r in regions):
            continue
        for group, region in zip(groups, regions, strict=False):
            if regions.count(region) > 1:
                report_violation(
                    message(
                        group,
                        f"{owner} has {regions.count(region)} endpoint groups in {show(region)}; AWS allows one "
                        "per region and listener",
                        "build one endpoint group per region, named from the region code",
                    ),
                    group.urn,
                )
            elif region not in expected:
                report_violation(
                    message(
                        group,
                        f"endpointGroupRegion {show(region)} is not a configured region ({show(expected)})",
                        "derive endpoint groups from the regional backends",
                    ),
                    group.urn,
                )
        for region in expected:
            if region not in regions:
                problem = (
                    f"no endpoint group in {region}, a configured region: Global Accelerator never sends traffic there"
                )
                fix = f"add an endpoint group with the ALB in {region}"
                if listener is not None:
                    report_violation(message(listener, problem, fix), listener.urn)
                else:
                    report_violation(f"stack: {problem}. Fix: {fix}.", None)


GA_ENDPOINT_GROUP_PER_REGION = StackValidationPolicy(
    name="ga-endpoint-group-per-region",
    description="Each Global Accelerator listener has exactly one endpoint group per configured region.",
    validate=_endpoint_group_per_region,
    config_schema=PolicyConfigSchema(properties={"expectedRegions": EXPECTED_REGIONS_PROPERTY}),
)


# -- ga-alb-endpoints-only --------------------------------------------------------------------


def _alb_endpoints_only(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.GA_ENDPOINT_GROUP:
        return
    group_region = get(args.props, "endpointGroupRegion")
    if is_unknown(get(args.props, "endpointConfigurations")):
        return
    endpoints = list(elements(args.props, "endpointConfigurations"))
    if not endpoints:
        report_violation(
            message(
                args,
                "the endpoint group has no endpoints, so its region never receives traffic",
                "add the region's ALB ARN as endpoint_configurations[].endpoint_id",
            ),
            None,
        )
    for endpoint in endpoints:
        endpoint_id = get(endpoint, "endpointId")
        if is_unknown(endpoint) or is_unknown(endpoint_id):
            continue
        match = _ALB_ARN.match(endpoint_id) if isinstance(endpoint_id, str) else None
        if match is None:
            report_violation(
                message(
                    args,
                    f"endpoint {show(endpoint_id)} is not an Application Load Balancer ARN; this stack's "
                    "health and failover come from the ALB target group check",
                    "use the regional backend's ALB ARN (endpoint.alb_arn) as endpoint_id",
                ),
                None,
            )
        elif isinstance(group_region, str) and match.group("region") != group_region:
            report_violation(
                message(
                    args,
                    f"endpoint {endpoint_id} is an ALB in {match.group('region')}, but the endpoint group is "
                    f"in {group_region}",
                    f"put the {match.group('region')} ALB in the {match.group('region')} endpoint group",
                ),
                None,
            )


GA_ALB_ENDPOINTS_ONLY = ResourceValidationPolicy(
    name="ga-alb-endpoints-only",
    description="Global Accelerator endpoint groups hold Application Load Balancers of their own region.",
    validate=_alb_endpoints_only,
)


# -- ga-client-ip-preservation ----------------------------------------------------------------


def _client_ip_preservation(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.GA_ENDPOINT_GROUP:
        return
    for endpoint in elements(args.props, "endpointConfigurations"):
        enabled = get(endpoint, "clientIpPreservationEnabled")
        if is_unknown(endpoint) or is_unknown(enabled) or enabled is True:
            continue
        report_violation(
            message(
                args,
                f"endpoint {show(get(endpoint, 'endpointId'))} has clientIpPreservationEnabled {show(enabled)}, "
                "which the provider treats as false: the API would log and throttle the accelerator's IPs",
                "set client_ip_preservation_enabled=True",
            ),
            None,
        )


GA_CLIENT_IP_PRESERVATION = ResourceValidationPolicy(
    name="ga-client-ip-preservation",
    description="Global Accelerator endpoints preserve the client IP.",
    validate=_client_ip_preservation,
)
