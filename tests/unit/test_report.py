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
    assert (
        "| globalaccelerator | 30 | 18.5 | 51.4 | - | - |" in text and "Winners: failover **globalaccelerator**" in text
    )
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


def test_the_probes_figures_come_from_cloudwatch_per_minute_values(monkeypatch, tmp_path):
    """Seeded with one value a minute per door and vantage, as the probes publish: the report prints
    the percentiles and availability of exactly those values, and they decide the latency winner."""
    import datetime as dt

    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = stack_settings("prod")  # one door, three vantages
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    with mock_aws():
        for offset, vantage in enumerate(settings.regions):
            client = boto3.client("cloudwatch", region_name=vantage)
            dims = [{"Name": "Door", "Value": "globalaccelerator"}, {"Name": "Vantage", "Value": vantage}]
            data = []
            for minute in range(1, 101):  # latencies 1..100 ms (+ 100 per vantage), one failure a vantage
                at = now - dt.timedelta(minutes=minute)
                data.append(
                    {
                        "MetricName": "LatencyMs",
                        "Dimensions": dims,
                        "Value": float(minute + 100 * offset),
                        "Timestamp": at,
                    }
                )
                data.append(
                    {"MetricName": "Success", "Dimensions": dims, "Value": 0.0 if minute == 1 else 1.0, "Timestamp": at}
                )
            client.put_metric_data(Namespace="GlobalServerless/Probes", MetricData=data)
        measured = report.probe_figures(
            settings, lambda r: boto3.client("cloudwatch", region_name=r), 24, now + dt.timedelta(minutes=1)
        )
        assert (
            report.main(
                ["--stack", "prod", "--out", str(tmp_path), "--from-cloudwatch"],
                lambda r: boto3.client("cloudwatch", region_name=r),
            )
            == 0
        )
    figures = measured["globalaccelerator"]
    values = sorted(v + 100 * o for o in range(3) for v in range(1, 101))  # 300 values: 1-100, 101-200, 201-300
    assert figures.samples == 300
    assert figures.p50_ms == values[149] and figures.p99_ms == values[296]
    assert figures.availability == round(297 / 300, 4)
    text = (tmp_path / "report.md").read_text()
    assert "| globalaccelerator | 30 | - | 51.4 | 150 / 297 | 99.00% |" in text
    # And from each vantage alone: 1-100 ms from the first, 101-200 from the second, 201-300 from the third.
    assert "| globalaccelerator | us-east-1 | 50 | 99 | 99.00% | 100 |" in text
    assert "| globalaccelerator | ap-southeast-1 | 250 | 299 | 99.00% | 100 |" in text


def test_unreadable_cloudwatch_is_one_line_and_exit_2(tmp_path, capsys):
    from botocore.exceptions import NoCredentialsError

    class NoCredentials:
        def get_metric_statistics(self, **_):
            raise NoCredentialsError()

    assert report.main(["--stack", "prod", "--out", str(tmp_path), "--from-cloudwatch"], lambda r: NoCredentials()) == 2
    err = capsys.readouterr().err
    assert "cannot read the probes' metrics: no AWS credentials" in err and len(err.strip().splitlines()) == 1


def test_the_chart_names_the_stack_and_date_colours_each_door_one_way_and_prints_the_values():
    from matplotlib.colors import to_hex

    colours = {}
    for stack in ("prod", "dev"):
        rows = report.figures(stack_settings(stack), USAGE, [], RTT)
        figure = report.doors_figure(rows, stack, "2025-06-01")
        assert figure._suptitle.get_text() == f"Front doors for stack {stack}, 2025-06-01"
        for axis, values in zip(
            figure.axes,
            ([r.failover_modelled_s for r in rows], [r.latency_p50_ms for r in rows], [r.monthly_cost for r in rows]),
            strict=True,
        ):
            for row, bar in zip(rows, axis.patches, strict=True):
                colours.setdefault(row.door, set()).add(to_hex(bar.get_facecolor()))
            labels = [text.get_text() for text in axis.texts]
            assert len(labels) == len(rows) and float(labels[0].replace(",", "")) == values[0]
    assert all(len(seen) == 1 for seen in colours.values())  # one colour per door, every panel, every stack
    assert len({next(iter(seen)) for seen in colours.values()}) == 3  # and no two doors alike
