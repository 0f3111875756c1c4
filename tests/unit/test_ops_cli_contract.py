"""The ops tools keep the command-line contract (DESIGN.md): `--json` with a documented shape and nothing
else on stdout, options before or after a subcommand, help on every option, and one line with exit 2
(never a traceback) for bad input, any AWS or credential problem, a bad `--out` or a missing dependency."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from functions.api import contract
from ops import cost, gameday, report
from ops.probe import ProbeResult
from tests.support.clock import FakeClock

ROOT = Path(__file__).resolve().parents[2]
PARAMETER = "/global-serverless/dev/chaos"
BROKEN, OTHER = "eu-west-1", "us-east-1"


@pytest.fixture
def ssm(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        for region in (OTHER, BROKEN):
            boto3.client("ssm", region_name=region).put_parameter(
                Name=PARAMETER, Value=contract.CHAOS_NONE, Type="String"
            )
        yield lambda region: boto3.client("ssm", region_name=region)


def one_line(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


class Door:
    """A door that leaves the broken region 3 s after the fault and comes back 2 s after the restore."""

    def __init__(self, clock: FakeClock, ssm) -> None:
        self.clock, self.ssm, self.since = clock, ssm, None

    def __call__(self, url: str, timeout: float) -> ProbeResult:
        down = json.loads(self.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"])["mode"] == "down"
        if self.since is None or (down != self.since[0]):
            self.since = (down, self.clock())
        moved = self.clock() - self.since[1] >= (3 if down else 2)
        if "entry" in url:
            return ProbeResult(503 if down else 200, BROKEN, 1.0)
        here = (not down and moved) or (down and not moved)
        return ProbeResult(200, BROKEN if here else OTHER, 1.0)


def run_argv(out, *extra):
    return [
        "run", "--stack", "dev", "--region", BROKEN, "--fault", "down", "--duration", "30",
        "--recover-timeout", "20", "--url", "route53=http://127.0.0.1:9/route53/health",
        "--url", "entry=http://127.0.0.1:9/entry/health", "--out", str(out), *extra,
    ]  # fmt: skip


def run_game_day(ssm, argv):
    clock = FakeClock(0.0)
    return gameday.main(argv, ssm, probe=Door(clock, ssm(BROKEN)), clock=clock, sleep=clock.advance)


# --json: a documented shape and nothing else on stdout


def test_report_json_has_the_documented_shape(tmp_path, capsys):
    assert report.main(["--stack", "prod", "--out", str(tmp_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"stack", "files", "winners", "doors"} and result["stack"] == "prod"
    assert result["files"] == {"report": str(tmp_path / "report.md"), "chart": str(tmp_path / "doors.png")}
    assert list(result["doors"]) == ["route53", "globalaccelerator", "cloudfront"]
    assert result["doors"]["globalaccelerator"] == {
        "failover_modelled_s": 30,
        "failover_measured_s": None,
        "latency_p50_ms": 51.4,
        "monthly_cost": result["doors"]["globalaccelerator"]["monthly_cost"],
        "probes": None,
    }
    assert result["winners"]["cost"] == "route53"


def test_gameday_status_json(ssm, capsys):
    assert gameday.main(["status", "--stack", "dev", "--json"], ssm) == 0
    assert json.loads(capsys.readouterr().out) == {
        "stack": "dev",
        "parameter": PARAMETER,
        "regions": {
            OTHER: {"value": contract.CHAOS_NONE, "error": None},
            BROKEN: {"value": contract.CHAOS_NONE, "error": None},
        },
    }


@pytest.mark.parametrize(
    ("mode", "extra", "value"),
    [
        ("down", [], {"mode": "down"}),
        ("none", [], {"mode": "none"}),
        ("latency", ["--ms", "300"], {"mode": "latency", "latencyMs": 300}),
        ("error", ["--rate", "0.5", "--status", "503"], {"mode": "error", "errorRate": 0.5, "status": 503}),
    ],
)
def test_gameday_fault_json(ssm, capsys, mode, extra, value):
    assert gameday.main([mode, "--stack", "dev", "--region", BROKEN, "--json", *extra], ssm) == 0
    result = json.loads(capsys.readouterr().out)
    assert json.loads(result.pop("value")) == value
    assert result == {
        "stack": "dev",
        "region": BROKEN,
        "parameter": PARAMETER,
        "takes_effect_within_seconds": contract.CHAOS_CACHE_SECONDS,
    }


def test_gameday_run_json_is_the_summary_and_the_files(ssm, tmp_path, capsys):
    assert run_game_day(ssm, run_argv(tmp_path, "--json")) == 0
    out = capsys.readouterr().out
    result = json.loads(out)
    files = result.pop("files")
    assert result == json.loads((tmp_path / "summary.json").read_text())
    assert files == {
        k: str(tmp_path / f) for k, f in (("csv", "timeline.csv"), ("summary", "summary.json"), ("png", "timeline.png"))
    }
    assert result["targets"]["route53"]["evacuate_seconds"] == pytest.approx(3, abs=1)


def test_json_errors_leave_stdout_empty(tmp_path, capsys):
    assert report.main(["--stack", "staging", "--out", str(tmp_path), "--json"]) == 2
    assert cost.main(["--stack", "staging", "--requests-per-month", "1", "--json"]) == 2
    assert gameday.main(["status", "--stack", "staging", "--json"], lambda r: None) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 3


# options before or after a subcommand


@pytest.mark.parametrize(
    "argv", [["status", "--stack", "dev"], ["--stack", "dev", "status"], ["--json", "status", "--stack", "dev"]]
)
def test_gameday_status_options_before_or_after(ssm, argv, capsys):
    assert gameday.main(argv, ssm) == 0
    assert "us-east-1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["--stack", "dev", "--region", BROKEN, "latency", "--ms", "300"],
        ["latency", "--stack", "dev", "--region", BROKEN, "--ms", "300"],
        ["--ms", "300", "--region", BROKEN, "latency", "--stack", "dev"],
    ],
)
def test_gameday_fault_options_before_or_after(ssm, argv):
    assert gameday.main(argv, ssm) == 0
    value = json.loads(ssm(BROKEN).get_parameter(Name=PARAMETER)["Parameter"]["Value"])
    assert value == {"mode": "latency", "latencyMs": 300}


def test_gameday_run_options_before_the_subcommand(ssm, tmp_path):
    assert run_game_day(ssm, [*run_argv(tmp_path)[1:], "run"]) == 0
    assert (tmp_path / "summary.json").exists()


def test_a_fault_without_region_names_the_option_and_the_choices(ssm, capsys):
    assert gameday.main(["--stack", "dev", "down"], ssm) == 2
    err = one_line(capsys.readouterr().err)
    assert "None" not in err and "down needs --region: one of us-east-1, eu-west-1" in err


def test_usage_errors_are_one_line_and_exit_2(capsys):
    assert gameday.main(["--stack", "dev", "explode"], lambda r: None) == 2
    assert "invalid choice: 'explode'" in one_line(capsys.readouterr().err)
    assert cost.main(["--stack", "dev"]) == 2
    assert "--requests-per-month" in one_line(capsys.readouterr().err)


def _parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


@pytest.mark.parametrize("module", [cost, report, gameday])
def test_every_option_has_help_text(module):
    for parser in _parsers(module.parser()):
        for action in parser._actions:
            assert action.help and action.help is not argparse.SUPPRESS, (parser.prog, action.option_strings)


# gameday run: progress on stderr


def test_gameday_run_prints_a_line_per_phase_and_a_running_count_on_stderr(ssm, tmp_path, capsys):
    assert run_game_day(ssm, run_argv(tmp_path)) == 0
    err = capsys.readouterr().err.splitlines()
    phases = [line for line in err if "] " in line and line.startswith("ops.gameday: [")]
    assert [p.split("] ", 1)[1].split(":", 1)[0] for p in phases] == ["fault", "restore", "recovery"]
    counts = [line for line in err if "probes" in line and "s of 30" in line]
    assert len(counts) >= 2 and "route53" in counts[-1]
    assert "Traceback" not in "\n".join(err)


# AWS and credential problems: one line, exit 2


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "--stack", "dev"],
        ["down", "--stack", "dev", "--region", BROKEN],
        None,  # run
    ],
)
def test_an_empty_aws_profile_is_one_line_and_exit_2(monkeypatch, tmp_path, capsys, argv):
    monkeypatch.setenv("AWS_PROFILE", "")
    assert gameday.main(argv or run_argv(tmp_path)) == 2
    err = one_line(capsys.readouterr().err)
    assert "AWS_PROFILE" in err and "ProfileNotFound" not in err.split(":", 1)[0]
    assert not (tmp_path / "summary.json").exists()


def _no_aws(monkeypatch, tmp_path):
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_no_credentials_is_one_line_and_exit_2(monkeypatch, tmp_path, capsys):
    _no_aws(monkeypatch, tmp_path)
    assert gameday.main(["status", "--stack", "dev"]) == 2
    assert "no AWS credentials" in one_line(capsys.readouterr().err)


def test_an_unreachable_endpoint_is_one_line_and_exit_2(monkeypatch, tmp_path, capsys):
    _no_aws(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert gameday.main(["down", "--stack", "dev", "--region", BROKEN]) == 2
    assert "cannot reach" in one_line(capsys.readouterr().err)
    assert gameday.main(run_argv(tmp_path)) == 2
    assert "cannot reach" in one_line(capsys.readouterr().err)
    assert gameday.main(["status", "--stack", "dev"]) == 2
    assert "cannot reach" in one_line(capsys.readouterr().err)


def test_a_restore_that_fails_says_so_and_how_to_mend(ssm, tmp_path, capsys):
    from botocore.exceptions import EndpointConnectionError

    class Failing:
        def __init__(self):
            self.real, self.writes = ssm(BROKEN), 0

        def get_parameter(self, **kw):
            return self.real.get_parameter(**kw)

        def put_parameter(self, **kw):
            self.writes += 1
            if self.writes == 2:  # the restore
                raise EndpointConnectionError(endpoint_url="https://ssm.eu-west-1.amazonaws.com/")
            return self.real.put_parameter(**kw)

    failing = Failing()
    clock = FakeClock(0.0)
    code = gameday.main(
        run_argv(tmp_path), lambda r: failing, probe=Door(clock, ssm(BROKEN)), clock=clock, sleep=clock.advance
    )
    err = one_line(capsys.readouterr().err.splitlines()[-1] + "\n")
    assert code == 2 and "NOT restored" in err and f"--region {BROKEN} none" in err


# --out and missing dependencies: named, exit 2, nothing written


def test_report_out_that_is_a_file_is_named(tmp_path, capsys):
    existing = tmp_path / "report.md"
    existing.write_text("mine\n")
    assert report.main(["--stack", "prod", "--out", str(existing)]) == 2
    assert f"--out {existing} is a file, not a directory" in one_line(capsys.readouterr().err)
    assert report.main(["--stack", "prod", "--out", str(existing / "sub")]) == 2
    assert "is a file, not a directory" in one_line(capsys.readouterr().err)
    assert existing.read_text() == "mine\n"


def test_gameday_run_out_that_is_a_file_is_refused_before_the_fault(ssm, tmp_path, capsys):
    existing = tmp_path / "taken"
    existing.write_text("")
    assert run_game_day(ssm, run_argv(existing)) == 2
    assert "--out" in one_line(capsys.readouterr().err)
    assert ssm(BROKEN).get_parameter(Name=PARAMETER)["Parameter"]["Version"] == 1  # never broken


def test_a_missing_matplotlib_is_named_before_anything_is_written(monkeypatch, tmp_path, ssm, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert report.main(["--stack", "prod", "--out", str(tmp_path / "r")]) == 2
    assert "matplotlib" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "r").exists()
    assert run_game_day(ssm, run_argv(tmp_path / "g")) == 2
    assert "matplotlib" in one_line(capsys.readouterr().err)
    assert ssm(BROKEN).get_parameter(Name=PARAMETER)["Parameter"]["Version"] == 1  # never broken


def test_outside_the_virtualenv_the_report_names_the_missing_module_and_writes_nothing(tmp_path):
    shim = tmp_path / "shim" / "matplotlib"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'matplotlib'\", name='matplotlib')\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{shim.parent}{os.pathsep}{ROOT}"}
    done = subprocess.run(
        [sys.executable, "-m", "ops.report", "--stack", "prod", "--out", str(tmp_path / "r")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert "matplotlib" in one_line(done.stderr) and not (tmp_path / "r").exists()


def test_from_the_shell_an_empty_profile_is_one_line(tmp_path):
    env = {**os.environ, "AWS_PROFILE": ""}
    done = subprocess.run(
        [sys.executable, "-m", "ops.gameday", "status", "--stack", "dev", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    one_line(done.stderr)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--duration", "nan"], "--duration: 'nan' is not a number of seconds"),
        (["--duration", "inf"], "--duration: 'inf' is not a number of seconds"),
        (["--recover-timeout", "-1"], "--recover-timeout: '-1' is not a number of seconds"),
        (["--fault", "latency", "--ms", "-5"], "refusing to write"),
    ],
)
def test_a_run_refuses_durations_and_faults_it_cannot_keep_before_breaking_anything(
    ssm, tmp_path, capsys, extra, message
):
    assert run_game_day(ssm, [*run_argv(tmp_path), *extra]) == 2
    assert message in one_line(capsys.readouterr().err)
    assert ssm(BROKEN).get_parameter(Name=PARAMETER)["Parameter"]["Version"] == 1
