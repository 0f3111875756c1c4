"""ops.report: failover, latency and cost per door, modelled from the stack and measured from game days."""

import json

import pytest

from offline.stack_facts import stack_settings
from ops import cost, report

RTT = report.load_rtt()
USAGE = cost.Usage(10e6, 1, 0.2)


def test_the_latency_matrix_is_dated_and_sourced():
    assert RTT["collected"] == "2025-05" and "cloudping" in RTT["source"] and len(RTT["rtt"]) == 32


def test_failover_is_modelled_from_the_stacks_own_settings():
    prod = stack_settings("prod")  # 10 s x 3 checks
    assert report.modelled_failover_seconds("route53", prod) == 10 * 3 + 60
    assert report.modelled_failover_seconds("globalaccelerator", prod) == 10 * 3  # the ALB target group's check
    assert report.modelled_failover_seconds("cloudfront", prod) == 20 + 2  # the router's verdict age + a probe
    dev = stack_settings("dev")  # 30 s x 3
    assert report.modelled_failover_seconds("route53", dev) == 90 + 60


def test_latency_goes_to_the_nearest_stack_region_from_every_vantage():
    regions = ("us-east-1", "eu-west-1")
    by_vantage = report.modelled_latency("route53", regions, RTT)
    matrix = RTT["rtt"]
    assert by_vantage["us-east-1"] == round(matrix["us-east-1"]["us-east-1"], 1)
    assert by_vantage["eu-central-1"] == round(
        min(matrix["eu-central-1"]["us-east-1"], matrix["eu-central-1"]["eu-west-1"]), 1
    )
    assert report.modelled_latency("cloudfront", regions, RTT)["us-east-1"] == by_vantage["us-east-1"] + 2.0


def test_every_door_the_backend_can_take_is_compared_and_winners_named():
    rows = report.figures(stack_settings("prod"), USAGE, [], RTT)
    assert [r.door for r in rows] == ["route53", "globalaccelerator", "cloudfront"]
    best = report.winners(rows)
    assert best["failover"] == "cloudfront" and best["cost"] == "route53"
    assert best["latency"] == "route53 = globalaccelerator"  # the model cannot tell their paths apart
    dev_rows = report.figures(stack_settings("dev"), USAGE, [], RTT)  # apigateway: no Global Accelerator
    assert [r.door for r in dev_rows] == ["route53", "cloudfront"]


def test_a_game_days_measured_evacuation_replaces_the_model_for_the_winner(tmp_path):
    summary = {
        "targets": {"cloudfront": {"evacuate_seconds": 41.0}, "route53": {"evacuate_seconds": 12.0}, "entry": {}}
    }
    rows = report.figures(stack_settings("prod"), USAGE, [summary], RTT)
    by_door = {r.door: r for r in rows}
    assert (
        by_door["cloudfront"].failover_measured_s == 41.0 and by_door["globalaccelerator"].failover_measured_s is None
    )
    assert report.winners(rows)["failover"] == "route53"


def test_the_cli_writes_the_report_and_the_chart(tmp_path, capsys):
    gameday = tmp_path / "summary.json"
    gameday.write_text(json.dumps({"targets": {"globalaccelerator": {"evacuate_seconds": 18.5}}}))
    assert report.main(["--stack", "prod", "--out", str(tmp_path / "out"), "--gameday", str(gameday)]) == 0
    text = (tmp_path / "out" / "report.md").read_text()
    assert "| globalaccelerator | 30 | 18.5 |" in text and "Winners: failover **globalaccelerator**" in text
    assert (tmp_path / "out" / "doors.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stack", "staging", "--out", "x"], "no stack file Pulumi.staging.yaml"),
        (["--stack", "prod", "--out", "x", "--gameday", "/nonexistent/summary.json"], "not a readable summary.json"),
        (["--stack", "prod", "--out", "x", "--requests-per-month", "lots"], "--requests-per-month 'lots'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert report.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
