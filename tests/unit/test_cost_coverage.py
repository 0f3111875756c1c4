"""ops.cost against what the plan creates: every resource type is priced or free with a reason (issue 20)."""

import functools

import pytest

from offline.engine.run import run_program
from offline.stack_facts import stack_settings
from ops import cost

PRICES = cost.load_prices()
USAGE = cost.Usage(50e6, 1, 0.2)
AUTH = 'auth={"issuer": "https://issuer.example", "audience": "api"}'
STACKS = {
    "dev": ("dev", ()),
    "prod": ("prod", ()),
    "prod cloudfront waf": ("prod", ("frontDoor=cloudfront", 'waf={"rateLimit": 1000}')),
    "dev cloudfront auth": ("dev", ("frontDoor=cloudfront", AUTH)),
    "prod A/B waf": ("prod", ('frontDoor={"globalaccelerator": 1, "cloudfront": 3}', 'waf={"rateLimit": 1000}')),
}


@functools.cache
def plan(label: str):
    stack, overrides = STACKS[label]
    return run_program(stack, list(overrides)), stack_settings(stack, list(overrides))


@pytest.mark.parametrize("label", STACKS)
def test_every_resource_type_the_plan_creates_is_priced_or_free_with_a_reason(label):
    run, _ = plan(label)
    types = {r.type for r in run.resources if r.custom}
    unknown = sorted(types - set(cost.PRICED_TYPES) - set(cost.FREE_TYPES))
    assert not unknown, f"{label}: ops.cost neither prices nor lists as free: {', '.join(unknown)}"


def test_the_table_is_one_definition_and_names_real_price_lines():
    assert not set(cost.PRICED_TYPES) & set(cost.FREE_TYPES)
    assert all(reason.strip() for reason in cost.FREE_TYPES.values())
    for type_, lines in cost.PRICED_TYPES.items():
        for line in lines:
            section, key = line.split(".")
            assert isinstance(PRICES[section][key], (int, float)), f"{type_}: {line} is not in prices.json"


def _billed_alarm_metrics(run, settings) -> int:
    """Alarm metrics the plan's alarms are billed for: one a metric alarm; a query alarm per series it analyzes
    (the replication query: one per other replica); a math alarm per metric it reads."""
    total = 0
    for alarm in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        queries = alarm.inputs.get("metricQueries") or []
        if not queries:
            total += 1
        elif any("SELECT" in str(q.get("expression") or "") for q in queries):
            total += len(settings.regions) - 1
        else:
            total += sum(1 for q in queries if q.get("metric"))
    return total


@pytest.mark.parametrize("label", STACKS)
def test_alarms_and_dashboards_are_counted_from_what_the_plan_creates(label):
    run, settings = plan(label)
    modeled = cost.alarm_metrics(settings)
    ahead = sum(modeled[kind] for kind in cost.MODELED_AHEAD)  # alarms another change is adding
    planned = _billed_alarm_metrics(run, settings)
    # The model never counts fewer than the plan bills, and more only by the alarms it models ahead of the plan.
    assert planned <= sum(modeled.values()) <= planned + ahead, (label, planned, modeled)
    assert len(run.of_type("aws:cloudwatch/dashboard:Dashboard")) == cost.DASHBOARDS


@pytest.mark.parametrize("label", STACKS)
def test_web_acls_and_their_rules_are_the_plans(label):
    run, settings = plan(label)
    acls = run.of_type("aws:wafv2/webAcl:WebAcl")
    assert len(acls) == cost.web_acls(settings)
    assert all(len(acl.inputs["rules"]) == cost.waf_rules() for acl in acls)


def test_turning_waf_on_raises_the_total_by_at_least_the_web_acls_fixed_price():
    for stack, door in (("prod", "cloudfront"), ("prod", '{"globalaccelerator": 1, "cloudfront": 3}')):
        off = stack_settings(stack, [f"frontDoor={door}"])
        on = stack_settings(stack, [f"frontDoor={door}", 'waf={"rateLimit": 1000}'])
        acls = len(
            run_program(stack, [f"frontDoor={door}", 'waf={"rateLimit": 1000}']).of_type("aws:wafv2/webAcl:WebAcl")
        )
        fixed = acls * (PRICES["waf"]["web_acl_month"] + cost.waf_rules() * PRICES["waf"]["rule_month"])
        assert acls >= 1
        raised = cost.estimate(on, USAGE, PRICES)["total"] - cost.estimate(off, USAGE, PRICES)["total"]
        # ... and every request is inspected at least once.
        assert raised >= fixed + 50 * PRICES["waf"]["per_million_requests"] - 0.01, (door, raised, fixed)


def test_waf_logs_are_priced_per_request_inspected_when_waf_logs_is_on():
    off = stack_settings("prod", ["frontDoor=cloudfront", 'waf={"rateLimit": 1000}'])
    on = stack_settings("prod", ["frontDoor=cloudfront", 'waf={"rateLimit": 1000, "logs": true}'])
    base, logged = cost.waf_cost(off, 50e6, PRICES, acls=1), cost.waf_cost(on, 50e6, PRICES, acls=1)
    expected = 50e6 * cost.WAF_LOG_BYTES / 1024**3 * PRICES["cloudwatch_logs"]["vended_ingestion_per_gb"]
    assert logged.fixed == base.fixed and logged.variable - base.variable == pytest.approx(expected)
    assert cost.estimate(on, USAGE, PRICES)["total"] - cost.estimate(off, USAGE, PRICES)["total"] == pytest.approx(
        expected, abs=0.02
    )


COLD_START_STACKS = {
    "provisioned concurrency": ("prod", ('provisionedConcurrency={"us-east-1": 4, "*": 2}',)),
    "snapstart": ("prod", ("snapStart=true", 'release={"strategy": "canary"}')),
}


@pytest.mark.parametrize("label", COLD_START_STACKS)
def test_cold_start_options_are_priced(label):
    """Provisioned concurrency bills its GB-seconds all month; SnapStart caches each live version's snapshot."""
    stack, overrides = COLD_START_STACKS[label]
    run = run_program(stack, list(overrides))
    types = {r.type for r in run.resources if r.custom}
    assert not types - set(cost.PRICED_TYPES) - set(cost.FREE_TYPES)
    base = cost.estimate(stack_settings(stack, []), USAGE, PRICES)
    more = cost.estimate(stack_settings(stack, list(overrides)), USAGE, PRICES)
    hours, gb = PRICES["hours_per_month"], cost.function_settings.FUNCTION_MEMORY_MB / 1024
    settings = stack_settings(stack, list(overrides))
    if label == "snapstart":
        expected = len(settings.regions) * gb * hours * 3600 * PRICES["lambda"]["snapstart_cache_per_gb_second"]
    else:
        environments = sum(settings.provisioned_concurrency_for(r) or 0 for r in settings.regions)
        expected = environments * gb * hours * 3600 * PRICES["lambda"]["arm64_provisioned_concurrency_per_gb_second"]
    added = more["backend"]["fixed"] - base["backend"]["fixed"]
    assert expected > 1 and abs(added - expected) < 0.01, (expected, added)
