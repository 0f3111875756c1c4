"""ops.cost: the monthly figures per door, backend and table, by hand against the dated price table."""

import json

import pytest

from offline.stack_facts import stack_settings
from ops import cost
from ops.cost import Usage, estimate, load_prices, main

PRICES = load_prices()
GB = 1024 * 1024  # KB per GB


def test_the_price_table_is_dated_and_names_its_sources():
    assert PRICES["collected"] == "2026-11 and 2026-12-07" and PRICES["currency"] == "USD"
    assert len(PRICES["sources"]) >= 2 and all("pricing" in s or "AWS" in s for s in PRICES["sources"])
    # The prices added for issue 20 (WAF, logs, S3) each name where and when they were read.
    read = [s for s in PRICES["sources"] if "read 2026-12-07" in s]
    assert all(any(what in s for s in read) for what in ("AWS WAF", "CloudWatch Logs", "S3 Standard"))
    assert PRICES["waf"] == {"web_acl_month": 5.0, "rule_month": 1.0, "per_million_requests": 0.6}
    assert PRICES["cloudwatch_logs"]["ingestion_per_gb"] == 0.5 and PRICES["s3"]["standard_gb_month"] == 0.023


def test_prod_behind_global_accelerator_by_hand():
    settings = stack_settings("prod")  # 3 regions, alb, globalaccelerator
    usage = Usage(requests=50e6, response_kb=1, write_share=0.2)
    result = estimate(settings, usage, PRICES)
    gb_out, gb_in = 50e6 / GB, 50e6 * cost.REQUEST_KB / GB
    assert result["doors"]["globalaccelerator"] == {
        "fixed": round(0.025 * 730, 2),
        "variable": round((gb_out + gb_in) * 0.015, 2),
        "total": round(0.025 * 730 + (gb_out + gb_in) * 0.015, 2),
    }
    functions = 50 * 0.20 + 50e6 * 0.020 * 0.5 * 0.0000133334
    lcu = max(50e6 / 3 / (730 * 3600) / 25, (gb_out + gb_in) / 3 / 730) * 730 * 3 * 0.008
    function_logs = 50e6 * 1200 / 1024**3 * 0.50  # one EMF document a request
    # ALB access logs: 450 B gzip-compressed to 15%, kept 90 days (3 months of 30.4 days) in S3 Standard.
    alb_logs = 50e6 * 450 * 0.15 / 1024**3 * 90 / (730 / 24) * 0.023
    log_puts = 3 * 2 * 12 * 730 / 1000 * 0.005  # a file per ALB node (2 zones) every 5 minutes
    # EMF metrics per region: ColdStart, and 5 figures (Requests, Status2xx, Status4xx, Status5xx, Latency) under
    # the region's dimension set and under the door set of each door (globalaccelerator, direct).
    emf = 3 * (1 + 5 * (1 + 2)) * 0.30
    assert result["backend"]["fixed"] == pytest.approx(
        3 * 0.0225 * 730 + cost.monitoring_cost(settings, PRICES) + log_puts + emf, abs=0.01
    )
    assert result["backend"]["variable"] == pytest.approx(
        functions + lcu + gb_out * 0.09 + function_logs + alb_logs, abs=0.01
    )
    # Every write is applied (and billed) in all three regions.
    assert result["table"] == {"fixed": 0.75, "variable": round(10 * 3 * 0.625 + 40 * 0.125, 2), "total": 24.5}
    assert result["total"] == pytest.approx(
        sum(d["total"] for d in result["doors"].values()) + result["backend"]["total"] + result["table"]["total"],
        abs=0.02,
    )


def test_monitoring_is_probes_their_metrics_alarms_and_the_dashboard():
    settings = stack_settings("prod")  # 3 regions, one door (globalaccelerator)
    runs = 43200 * 3
    probes = runs / 1e6 * 0.20 + runs * 1.0 * 0.125 * 0.0000133334 + runs / 1e6 * 1.00 + runs / 1000 * 0.01
    # Each vantage probes the door (latency, success); prod's entries are internal, so none is probed.
    metrics = 3 * 1 * 2
    # Per region (5 with the live alias's errors, + a door's availability), replica pairs, and the
    # replication-stalled math alarms (each sending region's writes and its 2 receivers).
    alarms = 3 * (5 + 1) + 3 * 2 + 3 * (1 + 2)
    logs = runs * 1000 / 1024**3 * 0.50
    assert cost.monitoring_cost(settings, PRICES) == pytest.approx(
        probes + logs + metrics * 0.30 + alarms * 0.10 + 3.00
    )


def test_route53_costs_its_health_checks_and_nothing_per_query():
    settings = stack_settings("dev")  # 2 regions, 30 s checks over HTTPS
    result = estimate(settings, Usage(1e6, 1, 0.2), PRICES)
    assert result["doors"]["route53"] == {"fixed": 2 * (0.50 + 1.00), "variable": 0.0, "total": 3.0}
    fast = stack_settings("dev", ['healthCheck={"path": "/health", "intervalSeconds": 10, "failureThreshold": 3}'])
    assert estimate(fast, Usage(1e6, 1, 0.2), PRICES)["doors"]["route53"]["fixed"] == 2 * (0.50 + 2 * 1.00)


def test_an_ab_split_divides_the_requests_by_weight_and_cloudfront_traffic_skips_internet_egress():
    settings = stack_settings("prod", ['frontDoor={"globalaccelerator": 1, "cloudfront": 3}'])
    result = estimate(settings, Usage(40e6, 2, 0.1), PRICES)
    cloudfront = result["doors"]["cloudfront"]
    requests = 30e6
    expected = requests / 1e4 * 0.01 + requests * 2 / GB * 0.085 + 30 * 0.60 + requests * 0.005 * 0.125 * 0.00005001
    expected += requests * (350 * 0.50 + 800 * 0.50) / 1024**3  # the router's logs, CloudFront's standard logs
    assert cloudfront["fixed"] == 0 and cloudfront["variable"] == pytest.approx(expected, abs=0.01)
    only_ga = estimate(stack_settings("prod"), Usage(40e6, 2, 0.1), PRICES)
    # A quarter of the answers leave through Global Accelerator's entries, the rest through CloudFront.
    egress_saved = 40e6 * 2 / GB * 0.09 * 0.75
    assert only_ga["backend"]["variable"] - result["backend"]["variable"] == pytest.approx(egress_saved, abs=0.02)


def test_the_json_has_the_documented_shape(capsys):
    assert main(["--stack", "dev", "--requests-per-month", "1000000", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"currency", "doors", "backend", "table", "total"}
    assert all(
        set(part) == {"fixed", "variable", "total"} for part in [*out["doors"].values(), out["backend"], out["table"]]
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stack", "staging", "--requests-per-month", "1"], "no stack file Pulumi.staging.yaml"),
        (["--stack", "dev", "--requests-per-month", "many"], "--requests-per-month 'many' is not a number"),
        (["--stack", "dev", "--requests-per-month", "-1"], "is not a number 0 or more"),
        (["--stack", "dev", "--requests-per-month", "1", "--write-share", "1.5"], "--write-share '1.5'"),
        (["--stack", "dev", "--requests-per-month", "inf"], "is not a number"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_monitoring_grows_linearly_in_regions():
    """Issue 20: at 16 regions the fixed cost per region stays within 1.25x the 3-region figure, probes on
    (it was $33 a region at 3 and $111 at 16 when every region probed every entry by answering region)."""
    import json

    from components.stack.regions import catalogue, is_opt_in

    first = ["us-east-1", "eu-west-1", "ap-southeast-1"]
    others = [r for r in catalogue() if r not in first and not is_opt_in(r) and not r.startswith(("cn-", "us-gov-"))]

    def fixed_per_region(n):
        regions = (first + others)[:n]
        settings = stack_settings("prod", [f"regions={json.dumps(regions)}"])
        return estimate(settings, Usage(5e7, 1, 0.2), PRICES)["backend"]["fixed"] / n

    assert fixed_per_region(16) <= 1.25 * fixed_per_region(3)
    public = stack_settings("prod", ["frontDoor=route53"])  # public entries: each probed from its own region
    assert cost.monitoring_cost(public, PRICES) > cost.monitoring_cost(stack_settings("prod"), PRICES)
