"""Region parity: every regional backend is built from the same resources with the same function settings.

Active-active only works when a request behaves the same wherever it lands; a region with less memory,
another runtime or a missing alarm is where the next incident starts.
"""

from collections import Counter
from typing import Any

from pulumi_policy import ReportViolation, StackValidationArgs, StackValidationPolicy

from policies.common import get, is_unknown, message, plain, show
from policies.graph import Backend, StackGraph

# Function settings that must match across regions, with AWS's default when the prop is not set.
FUNCTION_SETTINGS = {
    "runtime": None,
    "handler": None,
    "memorySize": 128.0,
    "timeout": 3.0,
    "architectures": ["x86_64"],
    "packageType": "Zip",
}


def _reference(graph: StackGraph, backends: list[Backend]) -> Backend:
    home = graph.home_region()
    return next((b for b in backends if b.region == home), backends[0])


def _type_counts(backend: Backend) -> Counter:
    return Counter(r.resource_type for r in backend.resources)


def _settings(function: Any) -> dict[str, Any]:
    return {key: plain(get(function.props, key, default=default)) for key, default in FUNCTION_SETTINGS.items()}


def _has_unknown(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return is_unknown(value)


def _compare_types(backend: Backend, reference: Backend, report_violation: ReportViolation) -> None:
    mine, theirs = _type_counts(backend), _type_counts(reference)
    if mine == theirs:
        return
    differences = []
    for type_ in sorted(set(mine) | set(theirs)):
        if mine[type_] != theirs[type_]:
            differences.append(f"{type_} x{mine[type_]} (vs x{theirs[type_]})")
    problem = (
        f"built from different resources than '{reference.name}' in {show(reference.region)}: {'; '.join(differences)}"
    )
    fix = "build every region from the same RegionalBackend code path (no per-region conditionals)"
    if backend.component is not None:
        report_violation(
            message(backend.component, f"(region {show(backend.region)}) {problem}", fix), backend.component.urn
        )
    else:
        report_violation(f"stack: the backend in {show(backend.region)} is {problem}. Fix: {fix}.", None)


def _compare_functions(backend: Backend, reference: Backend, report_violation: ReportViolation) -> None:
    if not reference.functions:
        return
    expected = _settings(reference.functions[0])
    for function in backend.functions:
        actual = _settings(function)
        for key, value in actual.items():
            wanted = expected[key]
            if _has_unknown(value) or _has_unknown(wanted) or value == wanted:
                continue
            report_violation(
                message(
                    function,
                    f"{key} {show(value)} differs from {show(wanted)} on '{reference.functions[0].name}' "
                    f"in {show(reference.region)}",
                    f"give every region the same {key} (components/regional/function_settings.py holds the one value)",
                ),
                function.urn,
            )


def _region_parity(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    backends = [b for b in graph.backends() if b.functions]
    if len(backends) < 2:
        return
    reference = _reference(graph, backends)
    for backend in backends:
        if backend is reference:
            continue
        _compare_types(backend, reference, report_violation)
        _compare_functions(backend, reference, report_violation)


REGION_PARITY = StackValidationPolicy(
    name="region-parity",
    description="Every region's backend has the same resource types and the same Lambda runtime, handler, "
    "memory, timeout, architecture and package type.",
    validate=_region_parity,
)
