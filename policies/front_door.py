"""Exactly the configured front door(s): no forgotten accelerator billing by the hour, no missing door.

A CrossGuard pack cannot read the program's stack config, so the configured strategies arrive as pack
config (`expectedFrontDoors`, kept equal to global-serverless:frontDoor by a test; the offline checker
derives it from the stack config itself). Which resources show that a door is deployed comes from each
door's facts (its detector: a resource type, and a property that must be set), so a door added to the
program's registry is recognised here without a change.
"""

from typing import Any

from pulumi_policy import PolicyConfigSchema, ReportViolation, StackValidationArgs, StackValidationPolicy

from policies import tokens as t
from policies.common import config_list, elements, get, is_unknown, show
from policies.graph import StackGraph

DOOR_FACTS = t.PACK_FACTS["doors"]  # key -> {"detector": {"type", "prop", "single"}, ...}
STRATEGIES = tuple(DOOR_FACTS)


def _weighted_records(graph: StackGraph) -> list[Any]:
    return [r for r in graph.of_type(t.ROUTE53_RECORD) if list(elements(r.props, "weightedRoutingPolicies"))]


def _detected(resource: Any, prop: str) -> bool:
    return not prop or bool(list(elements(resource.props, prop)))


def deployed_front_doors(graph: StackGraph) -> dict[str, list[Any]]:
    """Strategy -> the resources that make it (its detector's type, with its property set)."""
    doors = {}
    for strategy, facts in DOOR_FACTS.items():
        detector = facts["detector"]
        doors[strategy] = [r for r in graph.of_type(detector["type"]) if _detected(r, detector["prop"])]
    return {strategy: resources for strategy, resources in doors.items() if resources}


def undetermined_front_doors(graph: StackGraph) -> set[str]:
    """Strategies whose presence preview cannot tell: a resource whose detector property is unknown
    (a record with unknown routing may be a latency record)."""
    return {
        strategy
        for strategy, facts in DOOR_FACTS.items()
        if facts["detector"]["prop"]
        and any(is_unknown(get(r.props, facts["detector"]["prop"])) for r in graph.of_type(facts["detector"]["type"]))
    }


def _check_single_instances(doors: dict[str, list[Any]], report_violation: ReportViolation) -> None:
    for strategy in (s for s, facts in DOOR_FACTS.items() if facts["detector"]["single"]):
        resources = doors.get(strategy, [])
        if len(resources) > 1:
            report_violation(
                f"stack: {len(resources)} {strategy} front doors ({', '.join(r.name for r in resources)}); each "
                f"strategy is deployed once. Fix: keep one {resources[0].resource_type}.",
                None,
            )


def _check_split(graph: StackGraph, expected: list[str], report_violation: ReportViolation) -> None:
    records = graph.of_type(t.ROUTE53_RECORD)
    if any(is_unknown(get(r.props, key)) for r in records for key in ("weightedRoutingPolicies", "setIdentifier")):
        return  # the split cannot be compared until preview knows every record
    # The main name is one weighted set with a member per door (A, and AAAA where every door has IPv6);
    # a single door is a set of one. Without a domain there is no main name, so no set.
    identifiers = sorted({str(get(r.props, "setIdentifier")) for r in _weighted_records(graph)})
    if (identifiers or len(expected) > 1) and identifiers != sorted(expected):
        report_violation(
            f"stack: the main name's weighted records are for {show(identifiers)} but the configured front doors are "
            f"{show(sorted(expected))}. Fix: one weighted record per front door on the main name "
            "(set_identifier=<strategy>; a single door is a set of one).",
            None,
        )


def _front_door_matches_config(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    doors = deployed_front_doors(graph)
    deployed = sorted(doors)
    _check_single_instances(doors, report_violation)
    expected = config_list(args, "expectedFrontDoors")
    if expected is None:
        if not deployed and not undetermined_front_doors(graph):
            report_violation(
                f"stack: no front door is deployed (none of {show(sorted({f['detector']['type'] for f in DOOR_FACTS.values()}))}). "
                "Fix: set global-serverless:frontDoor.",
                None,
            )
        elif len(deployed) > 1:
            _check_split(graph, deployed, report_violation)
        return
    missing = sorted(set(expected) - set(deployed) - undetermined_front_doors(graph))
    extra = sorted(set(deployed) - set(expected))
    if missing:
        report_violation(
            f"stack: front door(s) {', '.join(missing)} are configured but not deployed (deployed: "
            f"{show(deployed)}). Fix: register them in components/registry.py (DOORS) and build them in components/doors.",
            None,
        )
    for strategy in extra:
        for resource in doors[strategy]:
            report_violation(
                f"{resource.resource_type} '{resource.name}': it is a {strategy} front door, but the configured "
                f"front door(s) are {show(sorted(expected))}. Fix: remove it, or add {strategy} to "
                "global-serverless:frontDoor.",
                resource.urn,
            )
    _check_split(graph, expected, report_violation)


FRONT_DOOR_MATCHES_CONFIG = StackValidationPolicy(
    name="front-door-matches-config",
    description="The deployed front doors are exactly the configured ones (plus the weighted split for an A/B map).",
    validate=_front_door_matches_config,
    config_schema=PolicyConfigSchema(
        properties={
            "expectedFrontDoors": {
                "type": "array",
                "items": {"type": "string", "enum": list(STRATEGIES)},
                "description": "Strategies of global-serverless:frontDoor (one, or the keys of an A/B map).",
            }
        }
    ),
)
