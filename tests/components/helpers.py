"""Building blocks for the whole-program tests under Pulumi mocks."""

import json
from collections import Counter

from offline.engine.run import ProgramRun, run_program

DOMAIN = {"zone": "example.com", "name": "api"}
ALL_REGIONS = [
    "us-east-1",
    "eu-west-1",
    "ap-southeast-1",
    "us-west-2",
    "eu-central-1",
    "ap-northeast-1",
    "sa-east-1",
    "ca-central-1",
    "ap-south-1",
    "eu-north-1",
    "us-east-2",
    "ap-southeast-2",
    "eu-west-2",
    "us-west-1",
    "ap-northeast-2",
    "eu-west-3",
]


def program(regions, backend="alb", front_door="cloudfront", domain=DOMAIN, home=None, **extra) -> ProgramRun:
    values = {
        "aws:region": home or regions[0],
        "regions": list(regions),
        "backend": backend,
        "frontDoor": front_door,
        **extra,
    }
    if domain is not None:
        values["domain"] = domain
    elif backend == "alb":
        # An ALB without a domain is plain HTTP: tests of other things accept it as a user must
        # (tests/unit/test_config.py and test_origin_protection.py show the refusal).
        values.setdefault("allowPlaintext", True)
    return run_program("test", values=values)


def backend_types_by_region(run: ProgramRun) -> dict[str, Counter]:
    """Region -> count of each custom resource type under that region's RegionalBackend."""
    result: dict[str, Counter] = {}
    for resource in run.resources:
        if resource.custom and in_backend(run, resource):
            result.setdefault(resource.region, Counter())[resource.type] += 1
    return result


def in_backend(run: ProgramRun, resource) -> bool:
    return run.ancestor(resource, ":RegionalBackend") is not None


def policy_document(resource) -> dict:
    policy = resource.inputs["policy"]
    return json.loads(policy) if isinstance(policy, str) else policy
