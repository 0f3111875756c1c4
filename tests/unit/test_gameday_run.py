"""`ops.gameday run` against stand-ins on 127.0.0.1 whose answers follow the injected fault after a
scripted delay, with moto for SSM and a fake clock: the measured times match the script."""

from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import boto3
import pytest
from botocore.exceptions import NoCredentialsError
from moto import mock_aws

from functions.api import contract
from ops import gameday
from tests.support import local_http
from tests.support.clock import FakeClock

PARAMETER = "/global-serverless/dev/chaos"
BROKEN, OTHER = "eu-west-1", "us-east-1"
EVACUATE_AFTER, RECOVER_AFTER = 3.0, 2.0  # what the stand-in door scripts


class StandIns:
    """A door that moves traffic off the broken region EVACUATE_AFTER seconds after it sees the fault and
    back RECOVER_AFTER seconds after it is gone; the region's own entry answers 503 while it is down."""

    def __init__(self, clock: FakeClock, ssm) -> None:
        self.clock, self.ssm = clock, ssm
        self.fault_seen_at: float | None = None
        self.cleared_at: float | None = None

    def mode(self) -> str:
        return json.loads(self.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"])["mode"]

    def answer(self, path: str) -> tuple[int, str]:
        down = self.mode() == "down"
        now = self.clock()
        if down and self.fault_seen_at is None:
            self.fault_seen_at, self.cleared_at = now, None
        if not down and self.fault_seen_at is not None and self.cleared_at is None:
            self.cleared_at = now
        if path.startswith("/entry"):
            return (503 if down else 200), BROKEN
        if down:
            return 200, (OTHER if now - self.fault_seen_at >= EVACUATE_AFTER else BROKEN)
        if self.cleared_at is not None and now - self.cleared_at < RECOVER_AFTER:
            return 200, OTHER
        return 200, BROKEN


@contextmanager
def serving(stand_ins: StandIns):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, region = stand_ins.answer(self.path)
            self.send_response(status)
            self.send_header(contract.SERVED_BY_HEADER, region)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):
            pass

    with local_http.serving(Handler) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        for region in (OTHER, BROKEN):
            boto3.client("ssm", region_name=region).put_parameter(
                Name=PARAMETER, Value=contract.CHAOS_NONE, Type="String"
            )
        yield lambda region: boto3.client("ssm", region_name=region)


def run_args(base: str, out, duration=10, extra=()):
    return [
        "run", "--stack", "dev", "--region", BROKEN, "--fault", "down",
        "--duration", str(duration), "--recover-timeout", "20",
        "--url", f"route53={base}/route53/health", "--url", f"entry={base}/entry/health", "--out", str(out), *extra,
    ]  # fmt: skip


def test_a_run_measures_evacuation_and_recovery_within_a_second_of_the_script(aws, tmp_path, capsys):
    clock = FakeClock(0.0)
    stand_ins = StandIns(clock, aws(BROKEN))
    with serving(stand_ins) as base:
        assert gameday.main(run_args(base, tmp_path), aws, clock=clock, sleep=clock.advance) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    door = summary["targets"]["route53"]
    assert abs(door["evacuate_seconds"] - EVACUATE_AFTER) <= 1.0
    assert abs(door["recover_seconds"] - RECOVER_AFTER) <= 1.0
    assert set(door["answered_by"]) == {OTHER, BROKEN}
    entry = summary["targets"]["entry"]
    assert entry["evacuate_seconds"] is None and entry["availability"] < 1.0  # 503 while down
    # The region is mended, and the three files are there.
    assert json.loads(aws(BROKEN).get_parameter(Name=PARAMETER)["Parameter"]["Value"]) == {"mode": "none"}
    rows = list(csv.DictReader((tmp_path / "timeline.csv").open()))
    assert {row["target"] for row in rows} == {"route53", "entry"} and {row["phase"] for row in rows} == {
        "fault",
        "recovery",
    }
    assert (tmp_path / "timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    assert "route53" in out and "evacuate" in out and f"{BROKEN} restored" in out


def test_ctrl_c_restores_the_previous_value_and_still_writes_the_files(aws, tmp_path):
    aws(BROKEN).put_parameter(
        Name=PARAMETER, Value='{"mode": "latency", "latencyMs": 50}', Type="String", Overwrite=True
    )
    clock = FakeClock(0.0)
    calls = []

    def interrupted_probe(url, timeout):
        calls.append(url)
        if len(calls) == 5:
            raise KeyboardInterrupt
        from ops.probe import ProbeResult

        return ProbeResult(200, BROKEN, 1.0)

    assert (
        gameday.main(
            run_args("http://127.0.0.1:9", tmp_path), aws, probe=interrupted_probe, clock=clock, sleep=clock.advance
        )
        == 130
    )
    value = json.loads(aws(BROKEN).get_parameter(Name=PARAMETER)["Parameter"]["Value"])
    assert value == {"mode": "latency", "latencyMs": 50}  # what it was before, not "none"
    assert json.loads((tmp_path / "summary.json").read_text())["interrupted"] is True


def test_without_credentials_one_line_and_exit_2_before_anything_is_broken(tmp_path, capsys):
    def no_credentials(region):
        class Client:
            def get_parameter(self, **_):
                raise NoCredentialsError()

            def put_parameter(self, **_):
                raise AssertionError("nothing may be written without reading first")

        return Client()

    assert gameday.main(run_args("http://127.0.0.1:9", tmp_path), no_credentials) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no AWS credentials" in err and "Traceback" not in err
    assert not (tmp_path / "summary.json").exists()


def test_status_exits_1_when_a_region_is_unreadable(aws, capsys):
    aws(BROKEN).delete_parameter(Name=PARAMETER)
    assert gameday.main(["--stack", "dev", "status"], aws) == 1
    assert "unreadable: ParameterNotFound" in capsys.readouterr().out


def test_an_unknown_door_is_named_with_the_stacks_doors(aws, tmp_path, capsys):
    assert (
        gameday.main(
            [
                "run",
                "--stack",
                "dev",
                "--region",
                BROKEN,
                "--fault",
                "down",
                "--door",
                "cloudfront",
                "--out",
                str(tmp_path),
            ],
            aws,
        )
        == 2
    )
    assert "--door 'cloudfront' is not one of stack dev's doors: route53" in capsys.readouterr().err


@pytest.mark.parametrize("lanes", [["globalaccelerator"], ["route53", "cloudfront", "entry"]])
def test_the_timelines_legend_stands_outside_the_lanes(lanes):
    from ops import gameday_run
    from ops.gameday_run import ProbeSample, Timeline

    timeline = Timeline(region=BROKEN, fault="down", targets={lane: "u" for lane in lanes}, restored_at=20.0)
    for second in range(30):
        for lane in lanes:  # probes right up to the top right corner, where the legend used to sit
            timeline.samples.append(ProbeSample(float(second), "fault", lane, 200, BROKEN, 1.0))
    figure = gameday_run.timeline_figure(timeline)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    axis = figure.axes[0]
    legend, lanes_box = axis.get_legend().get_window_extent(renderer), axis.get_window_extent(renderer)
    assert legend.x0 >= lanes_box.x1  # beside the axes, not on them
    assert figure.bbox.contains(legend.x1 - 1, legend.y0 + 1)  # and inside the picture
    labels = [text.get_text() for text in axis.get_legend().get_texts()]
    assert f"answered by {BROKEN}" in labels and "answered elsewhere" in labels
