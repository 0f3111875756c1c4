"""Enough regions, and a serving backend in exactly the configured ones."""

from pulumi_policy import PolicyConfigSchema, ReportViolation, StackValidationArgs, StackValidationPolicy

from policies.common import EXPECTED_REGIONS_PROPERTY, config_int, config_list, message, show
from policies.graph import StackGraph

DEFAULT_MIN_REGIONS = 2
# Far-apart regions to suggest in the fix, in order.
_EXAMPLE_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1", "us-west-2", "eu-central-1", "ap-northeast-1")


def _min_regions(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    minimum = config_int(args, "minRegions", DEFAULT_MIN_REGIONS)
    regions = StackGraph(args.resources).backend_regions()
    if len(regions) < minimum:
        report_violation(
            f"stack: {len(regions)} region(s) with a backend ({show(regions)}); active-active needs at least "
            f"{minimum}, so one region failing takes the API down. Fix: list at least {minimum} regions in "
            f"global-serverless:regions, e.g. {show(list(_EXAMPLE_REGIONS[: max(minimum, 2)]))}.",
            None,
        )


MIN_REGIONS = StackValidationPolicy(
    name="min-regions",
    description="At least `minRegions` regions have a backend (an API Lambda function plus an ALB or API Gateway entry).",
    validate=_min_regions,
    config_schema=PolicyConfigSchema(
        properties={
            "minRegions": {
                "type": "integer",
                "minimum": 1,
                "default": DEFAULT_MIN_REGIONS,
                "description": "Fewest regions with a serving backend.",
            }
        }
    ),
)


def _backend_in_every_region(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    expected = config_list(args, "expectedRegions")
    if expected is None:
        return
    graph = StackGraph(args.resources)
    serving = graph.serving_backends()
    for region in expected:
        if region not in serving:
            report_violation(
                f"stack: region {region} is configured but has no backend (an API Lambda function plus an ALB "
                f"or API Gateway entry). Fix: build a RegionalBackend for {region} with that region's provider.",
                None,
            )
    for region, backends in sorted(serving.items(), key=lambda item: str(item[0])):
        if isinstance(region, str) and region not in expected:
            for backend in backends:
                problem = f"a backend serves in {region}, which is not a configured region ({show(expected)})"
                fix = f"add {region} to global-serverless:regions or remove the backend"
                if backend.component is not None:
                    report_violation(message(backend.component, problem, fix), backend.component.urn)
                else:
                    report_violation(f"stack: {problem}. Fix: {fix}.", None)
        elif len(backends) > 1:
            report_violation(
                f"stack: {len(backends)} backends serve in {region} ({', '.join(b.name for b in backends)}); "
                "front doors expect one per region. Fix: build one RegionalBackend per region.",
                None,
            )


BACKEND_IN_EVERY_REGION = StackValidationPolicy(
    name="backend-in-every-region",
    description="Every configured region has exactly one serving backend, and no backend serves elsewhere.",
    validate=_backend_in_every_region,
    config_schema=PolicyConfigSchema(properties={"expectedRegions": EXPECTED_REGIONS_PROPERTY}),
)
