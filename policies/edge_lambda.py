"""Lambda@Edge: what CloudFront accepts to replicate a function to its edge locations.

Edge functions are found from the distributions that use them (the association's ARN when known, the
distribution's property dependencies during preview) and from roles trusting edgelambda.amazonaws.com,
so these are stack policies: a function alone does not say it runs at the edge.
"""

from typing import Any

from pulumi_policy import PolicyConfigSchema, ReportViolation, StackValidationArgs, StackValidationPolicy

from policies.common import (
    EDGE_REGION,
    config_int,
    elements,
    get,
    is_unknown,
    message,
    number,
    region_of,
    show,
    trusted_services,
)
from policies.graph import EDGE_PRINCIPAL, LAMBDA_PRINCIPAL, EdgeUse, StackGraph

VIEWER_EVENTS = ("viewer-request", "viewer-response")
ORIGIN_EVENTS = ("origin-request", "origin-response")
SUPPORTED_RUNTIME_PREFIXES = ("nodejs", "python")
# AWS defaults when a function does not set them.
DEFAULT_TIMEOUT_SECONDS = 3
DEFAULT_MEMORY_MB = 128
LIMIT_DEFAULTS = {"viewerTimeoutSeconds": 5, "viewerMemoryMb": 128, "originTimeoutSeconds": 30, "originMemoryMb": 10240}


def _edge_uses(args: StackValidationArgs) -> list[EdgeUse]:
    return list(StackGraph(args.resources).edge_uses().values())


# -- edge-function-us-east-1 ------------------------------------------------------------------


def _in_us_east_1(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for use in _edge_uses(args):
        region = region_of(use.function)
        if region is not None and not is_unknown(region) and region != EDGE_REGION:
            report_violation(
                message(
                    use.function,
                    f"Lambda@Edge functions must be created in {EDGE_REGION} (found {region})",
                    f"build it with the {EDGE_REGION} provider (providers.edge)",
                ),
                use.function.urn,
            )


EDGE_FUNCTION_US_EAST_1 = StackValidationPolicy(
    name="edge-function-us-east-1",
    description="Lambda@Edge functions are created in us-east-1.",
    validate=_in_us_east_1,
)


# -- edge-function-published ------------------------------------------------------------------


def _unversioned(arn: Any, function: Any) -> bool:
    if not isinstance(arn, str):
        return False
    return arn.endswith(":$LATEST") or arn == get(function.props, "arn")


def _published(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for use in _edge_uses(args):
        publish = get(use.function.props, "publish")
        if publish is not True and not is_unknown(publish):
            report_violation(
                message(
                    use.function,
                    f"publish is {show(publish)}; CloudFront can only associate a numbered version",
                    "set publish=True and associate function.qualified_arn",
                ),
                use.function.urn,
            )
        for arn in use.association_arns:
            if _unversioned(arn, use.function):
                for distribution in use.distributions:
                    report_violation(
                        message(
                            distribution,
                            f"associates {arn}, which is not a numbered version of '{use.function.name}'",
                            "use the function's qualified_arn (publish=True) as lambda_arn",
                        ),
                        distribution.urn,
                    )


EDGE_FUNCTION_PUBLISHED = StackValidationPolicy(
    name="edge-function-published",
    description="Lambda@Edge functions publish versions and distributions associate a numbered version.",
    validate=_published,
)


# -- edge-function-supported-config -----------------------------------------------------------


def _unsupported(function: Any) -> list[tuple[str, str]]:
    """(problem, fix) for each setting Lambda@Edge refuses."""
    props = function.props
    found = []
    variables = get(props, "environment", "variables")
    if variables and not is_unknown(variables) and len(variables):
        found.append(
            (
                f"has environment variables ({', '.join(sorted(variables))}); Lambda@Edge has none",
                "bake settings into the package (the routing table JSON) and drop `environment`",
            )
        )
    layers = [layer for layer in elements(props, "layers")]
    if layers:
        found.append(
            (
                f"uses layers ({show(layers)}); Lambda@Edge does not support layers",
                "vendor what the layer provides into the package (stdlib only for the router)",
            )
        )
    subnets = [s for s in elements(props, "vpcConfig", "subnetIds")]
    if subnets:
        found.append(("is attached to a VPC; Lambda@Edge functions cannot be", "remove vpc_config"))
    architectures = [a for a in elements(props, "architectures")]
    if "arm64" in architectures:
        found.append(("runs on arm64; Lambda@Edge supports x86_64 only", 'set architectures=["x86_64"]'))
    package_type = get(props, "packageType")
    if package_type == "Image":
        found.append(("is a container image; Lambda@Edge needs a zip package", "package it as a zip archive"))
    runtime = get(props, "runtime")
    if isinstance(runtime, str) and not runtime.startswith(SUPPORTED_RUNTIME_PREFIXES):
        found.append(
            (
                f"runtime {runtime} is not supported at the edge (Node.js and Python only)",
                "use a pythonX.Y or nodejsN.x runtime",
            )
        )
    return found


def _supported_config(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for use in _edge_uses(args):
        for problem, fix in _unsupported(use.function):
            report_violation(message(use.function, problem, fix), use.function.urn)


EDGE_FUNCTION_SUPPORTED_CONFIG = StackValidationPolicy(
    name="edge-function-supported-config",
    description="Lambda@Edge functions have no environment variables, layers or VPC, run on x86_64 from a zip, "
    "on a Node.js or Python runtime.",
    validate=_supported_config,
)


# -- edge-function-limits ---------------------------------------------------------------------


def _limits_for(args: StackValidationArgs, events: set[str]) -> tuple[int, int, str]:
    """(timeout s, memory MB, which events) for the strictest event the function serves."""
    if events & set(VIEWER_EVENTS):
        return (
            config_int(args, "viewerTimeoutSeconds", LIMIT_DEFAULTS["viewerTimeoutSeconds"]),
            config_int(args, "viewerMemoryMb", LIMIT_DEFAULTS["viewerMemoryMb"]),
            "viewer",
        )
    return (
        config_int(args, "originTimeoutSeconds", LIMIT_DEFAULTS["originTimeoutSeconds"]),
        config_int(args, "originMemoryMb", LIMIT_DEFAULTS["originMemoryMb"]),
        "origin",
    )


def _limits(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for use in _edge_uses(args):
        max_timeout, max_memory, kind = _limits_for(args, use.event_types)
        events = ", ".join(sorted(use.event_types)) or "edge (event type unknown)"
        timeout = number(get(use.function.props, "timeout", default=DEFAULT_TIMEOUT_SECONDS))
        memory = number(get(use.function.props, "memorySize", default=DEFAULT_MEMORY_MB))
        if timeout is not None and timeout > max_timeout:
            report_violation(
                message(
                    use.function,
                    f"timeout {show(timeout)} s exceeds the {max_timeout} s limit of {kind} events (serves {events})",
                    f"set timeout={max_timeout} or less",
                ),
                use.function.urn,
            )
        if memory is not None and memory > max_memory:
            report_violation(
                message(
                    use.function,
                    f"memorySize {show(memory)} MB exceeds the {max_memory} MB limit of {kind} events "
                    f"(serves {events})",
                    f"set memory_size={max_memory} or less",
                ),
                use.function.urn,
            )


EDGE_FUNCTION_LIMITS = StackValidationPolicy(
    name="edge-function-limits",
    description="Lambda@Edge timeout and memory stay within the limits of the events they serve "
    "(viewer: 5 s / 128 MB; origin: 30 s).",
    validate=_limits,
    config_schema=PolicyConfigSchema(
        properties={
            "viewerTimeoutSeconds": {
                "type": "integer",
                "minimum": 1,
                "default": LIMIT_DEFAULTS["viewerTimeoutSeconds"],
            },
            "viewerMemoryMb": {"type": "integer", "minimum": 128, "default": LIMIT_DEFAULTS["viewerMemoryMb"]},
            "originTimeoutSeconds": {
                "type": "integer",
                "minimum": 1,
                "default": LIMIT_DEFAULTS["originTimeoutSeconds"],
            },
            "originMemoryMb": {"type": "integer", "minimum": 128, "default": LIMIT_DEFAULTS["originMemoryMb"]},
        }
    ),
)


# -- edge-function-role-trust -----------------------------------------------------------------


def _role_trust(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    for use in graph.edge_uses().values():
        role = graph.role_of(use.function)
        if role is None:
            continue
        services = trusted_services(get(role.props, "assumeRolePolicy"))
        if is_unknown(services):
            continue
        missing = sorted({EDGE_PRINCIPAL, LAMBDA_PRINCIPAL} - services)
        if missing:
            report_violation(
                message(
                    role,
                    f"is the role of edge function '{use.function.name}' but its trust policy does not "
                    f"trust {', '.join(missing)} (trusts {show(sorted(services))})",
                    f'add Principal.Service ["{LAMBDA_PRINCIPAL}", "{EDGE_PRINCIPAL}"] to assume_role_policy',
                ),
                role.urn,
            )


EDGE_FUNCTION_ROLE_TRUST = StackValidationPolicy(
    name="edge-function-role-trust",
    description="The role of a Lambda@Edge function trusts both lambda.amazonaws.com and edgelambda.amazonaws.com.",
    validate=_role_trust,
)
