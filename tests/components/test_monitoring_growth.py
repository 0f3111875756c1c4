"""Monitoring grows linearly with the stack's regions: the probes' custom metric series and the alarms.

The series are what the probes would publish for the targets the program plans: every outcome a probe can
see (an answer from each of the stack's regions, and each kind of failure) is fed through the probe's own
metric_data for every target of every vantage, and the distinct (metric, dimensions) pairs counted.
"""

from __future__ import annotations

import json

import pytest

from components.stack.regions import catalogue
from functions.probe import contract
from functions.probe import handler as probe
from tests.components.helpers import ALL_REGIONS, program

SIZES = (2, 4, 8, 16)
CONFIGS = {
    # What Pulumi.prod.yaml runs: internal ALBs behind Global Accelerator, so only the door is probed.
    "prod-like": {"backend": "alb", "front_door": "globalaccelerator"},
    # Public entries with names: each region's entry is a target too.
    "public-entries": {"backend": "alb", "front_door": "route53"},
}


def every_outcome(regions: list[str]) -> list[probe.ProbeOutcome]:
    answers = [probe.ProbeOutcome(200, region, 1.0, None) for region in regions]
    return answers + [probe.ProbeOutcome(None, None, 1.0, reason) for reason in contract.REASONS]


def series(run, regions: list[str]) -> set[tuple]:
    found = set()
    for function in run.of_type("aws:lambda/function:Function"):
        if not function.name.startswith("probes-"):
            continue
        env = function.inputs["environment"]["variables"]
        for target in json.loads(env["PROBE_TARGETS"]):
            for outcome in every_outcome(regions):
                for datum in probe.metric_data(env["PROBE_VANTAGE"], {target: outcome}):
                    dims = tuple(sorted((d["Name"], d["Value"]) for d in datum["Dimensions"]))
                    found.add((datum["MetricName"], dims))
    return found


def alarms(run) -> int:
    return len(run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"))


def counts(config: dict) -> dict[int, tuple[int, int]]:
    """Regions -> (custom metric series, alarms)."""
    result = {}
    for size in SIZES:
        regions = ALL_REGIONS[:size]
        run = program(regions, **config)
        result[size] = (len(series(run, regions)), alarms(run))
    return result


def test_the_regions_are_real_region_codes():
    assert set(ALL_REGIONS[: max(SIZES)]) <= set(catalogue())


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_probe_series_and_alarms_grow_linearly_with_regions(config):
    """One program run per size serves both counts (a 16-region run takes seconds)."""
    measured = counts(CONFIGS[config])
    for index, what in ((0, "series"), (1, "alarms")):
        per_region = {size: measured[size][index] / size for size in SIZES}
        assert per_region[16] <= 1.25 * per_region[4], (what, measured)
        assert per_region[8] <= 1.25 * per_region[2], (what, measured)
