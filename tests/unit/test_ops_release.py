"""`python -m ops.release` against stand-ins: moto's Lambda (versions, the `live` alias) and CloudWatch (the
rollback alarms), tests/support/fake_codedeploy.py for CodeDeploy (moto never runs a deployment), a fake clock.

The prod stack's three regions each run version 1 behind `live` with version 2 published; every scenario
asserts, region by region, the version each alias ends on and the order CodeDeploy was asked to move them."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, NoCredentialsError
from moto import mock_aws

from components.regional.release_plan import codedeploy_application_name
from offline.stack_config import ROOT
from ops import release, release_aws, release_run
from tests.support.clock import FakeClock
from tests.support.fake_codedeploy import CANARY_5, FakeCodeDeploy

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")
APPLICATION = codedeploy_application_name("global-serverless", "prod")
CANARY_SECONDS, BAKE_MINUTES = 300.0, 10
OLD, NEW = "1", "2"


def function(region: str) -> str:
    return f"global-serverless-prod-api-{region}"


def alarms(region: str) -> tuple[str, str]:
    return (f"api-5xx-{region}", f"api-errors-{region}")


def zipped(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", text)
    return buffer.getvalue()


class World:
    """moto's Lambda and CloudWatch in the three regions, the fake CodeDeploy, the clock, the outputs file."""

    def __init__(self, tmp_path, clock: FakeClock) -> None:
        self.clock = clock
        self.codedeploy = FakeCodeDeploy(self.lambda_client, clock, self.cloudwatch)
        role = boto3.client("iam", region_name="us-east-1").create_role(RoleName="api", AssumeRolePolicyDocument="{}")
        for region in REGIONS:
            client = self.lambda_client(region)
            client.create_function(
                FunctionName=function(region),
                Runtime="python3.12",
                Role=role["Role"]["Arn"],
                Handler="index.handler",
                Code={"ZipFile": zipped("old")},
            )
            assert client.publish_version(FunctionName=function(region))["Version"] == OLD
            client.create_alias(FunctionName=function(region), Name="live", FunctionVersion=OLD)
            client.update_function_code(FunctionName=function(region), ZipFile=zipped("new"))
            assert client.publish_version(FunctionName=function(region))["Version"] == NEW
            for name in alarms(region):
                self.cloudwatch(region).put_metric_alarm(
                    AlarmName=name,
                    Namespace="AWS/Lambda",
                    MetricName="Errors",
                    Statistic="Sum",
                    Period=60,
                    EvaluationPeriods=1,
                    Threshold=1,
                    ComparisonOperator="GreaterThanOrEqualToThreshold",
                )
                self.cloudwatch(region).set_alarm_state(AlarmName=name, StateValue="OK", StateReason="quiet")
            self.codedeploy.add_group(region, APPLICATION, "live", CANARY_5, alarms(region))
        self.config = canary()
        self.outputs = tmp_path / "outputs.json"
        self.outputs.write_text(json.dumps({"functionNames": {r: function(r) for r in REGIONS}, "url": "https://x"}))

    @staticmethod
    def lambda_client(region: str):
        return boto3.client("lambda", region_name=region)

    @staticmethod
    def cloudwatch(region: str):
        return boto3.client("cloudwatch", region_name=region)

    def clients(self, service: str, region: str):
        if service == "codedeploy":
            return self.codedeploy.client(region)
        return boto3.client(service, region_name=region)

    def alias(self, region: str) -> str:
        answer = self.lambda_client(region).get_alias(FunctionName=function(region), Name="live")
        assert not (answer.get("RoutingConfig") or {}).get("AdditionalVersionWeights"), answer  # no traffic split left
        return answer["FunctionVersion"]

    def aliases(self) -> dict[str, str]:
        return {region: self.alias(region) for region in REGIONS}

    def run(self, *extra: str, sleep=None) -> int:
        argv = ["--stack", "prod", "--outputs", str(self.outputs), *self.config, *extra]
        return release.main(argv, clients=self.clients, clock=self.clock, sleep=sleep or self.clock.advance)


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield World(tmp_path, FakeClock(0.0))


def canary(waves=None, bake=BAKE_MINUTES, strategy="canary", **more) -> list[str]:
    """--config for a `release` the prod stack's file does not say (it releases all-at-once)."""
    config = {"strategy": strategy, "bakeMinutes": bake, **({"waves": waves} if waves else {}), **more}
    return ["--config", f"release={json.dumps(config)}"]


THREE_WAVES = [["us-east-1"], ["eu-west-1"], ["ap-southeast-1"]]


def one_line(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


# The scenarios of the issue: complete, stop on an alarm, resume


def test_a_healthy_release_moves_every_alias_wave_by_wave_with_the_bake_between(world, capsys):
    # canary, default waves: us-east-1, then eu-west-1 and ap-southeast-1 together
    assert world.run() == 0
    assert world.aliases() == {r: NEW for r in REGIONS}
    assert world.codedeploy.created() == ["us-east-1", "eu-west-1", "ap-southeast-1"]
    started = {d.region: d.created for d in world.codedeploy.deployments.values()}
    assert started["us-east-1"] == 0.0
    # wave 2 started together, only after wave 1's canary and its bake
    assert started["eu-west-1"] == started["ap-southeast-1"] >= CANARY_SECONDS + BAKE_MINUTES * 60
    out = capsys.readouterr().out
    assert "wave 1/2: us-east-1" in out and "wave 2/2: eu-west-1, ap-southeast-1" in out
    assert "baking 10 min" in out and out.strip().splitlines()[-1].startswith("release complete: us-east-1 1 -> 2")


def test_an_alarm_in_the_second_wave_stops_there_and_the_later_waves_keep_the_old_version(world, capsys):
    world.config = canary(THREE_WAVES)
    world.codedeploy.script("eu-west-1", "alarm")  # its 5xx alarm fires during the canary: CodeDeploy rolls back
    assert world.run() == 1
    assert world.aliases() == {"us-east-1": NEW, "eu-west-1": OLD, "ap-southeast-1": OLD}
    assert world.codedeploy.created() == ["us-east-1", "eu-west-1"]  # ap-southeast-1 never touched
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("release stopped at eu-west-1 (wave 2): rolled-back: ALARM_ACTIVE")
    assert "api-5xx-eu-west-1" in last and "not started: ap-southeast-1" in last


def test_a_rerun_after_the_fix_resumes_where_it_stopped(world, capsys):
    world.config = canary(THREE_WAVES)
    world.codedeploy.script("eu-west-1", "alarm")
    assert world.run() == 1
    # the fix: the cause behind the alarm is mended, the alarm is quiet again
    world.codedeploy.script("eu-west-1", "succeed")
    world.cloudwatch("eu-west-1").set_alarm_state(
        AlarmName=alarms("eu-west-1")[0], StateValue="OK", StateReason="fixed"
    )
    world.codedeploy.calls.clear()
    capsys.readouterr()
    assert world.run("--json") == 0
    assert world.aliases() == {r: NEW for r in REGIONS}
    assert world.codedeploy.created() == ["eu-west-1", "ap-southeast-1"]  # us-east-1 already on 2: skipped
    summary = json.loads(capsys.readouterr().out)
    assert {r: (v["from"], v["to"], v["status"]) for r, v in summary["regions"].items()} == {
        "us-east-1": (NEW, NEW, "skipped"),
        "eu-west-1": (OLD, NEW, "succeeded"),
        "ap-southeast-1": (OLD, NEW, "succeeded"),
    }


def test_an_alarm_during_the_bake_stops_before_the_next_wave(world, capsys):

    def sleep(seconds):  # us-east-1's errors climb two minutes after its canary finished
        world.clock.advance(seconds)
        if world.clock() >= CANARY_SECONDS + 120:
            world.cloudwatch("us-east-1").set_alarm_state(
                AlarmName=alarms("us-east-1")[1], StateValue="ALARM", StateReason="errors"
            )

    assert world.run("--json", sleep=sleep) == 1
    assert world.aliases() == {"us-east-1": NEW, "eu-west-1": OLD, "ap-southeast-1": OLD}
    assert world.codedeploy.created() == ["us-east-1"]
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["result"] == "stopped"
    assert summary["stoppedAt"] == {
        "region": "us-east-1",
        "wave": 1,
        "reason": "alarm api-errors-us-east-1 is in ALARM during the bake",
    }
    assert summary["waves"][0]["alarm"] == "api-errors-us-east-1"
    assert [v["status"] for v in summary["regions"].values()] == ["succeeded", "not-started", "not-started"]
    assert "release stopped at us-east-1 (wave 1): alarm api-errors-us-east-1" in captured.err


def test_a_failed_region_in_a_parallel_wave_stops_the_release_and_its_neighbour_is_reported_as_it_ended(world, capsys):
    world.codedeploy.script("ap-southeast-1", "fail")
    assert world.run("--json") == 1
    assert world.aliases() == {"us-east-1": NEW, "eu-west-1": NEW, "ap-southeast-1": OLD}
    summary = json.loads(capsys.readouterr().out)
    assert summary["stoppedAt"]["region"] == "ap-southeast-1"
    assert summary["stoppedAt"]["reason"].startswith("rolled-back: HOOK_EXECUTION_FAILURE")
    assert summary["regions"]["eu-west-1"]["status"] == "succeeded"
    assert summary["regions"]["ap-southeast-1"]["status"] == "rolled-back"


def test_a_deployment_that_never_finishes_times_out_and_says_a_rerun_attaches(world, capsys):
    world.config = canary(THREE_WAVES)
    world.codedeploy.script("us-east-1", "hang")
    assert world.run() == 1
    assert world.clock() >= CANARY_SECONDS + 15 * 60  # the canary's 5 minutes plus the margin
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert "stopped at us-east-1 (wave 1): timed-out" in last and "run the release again to attach" in last
    assert world.codedeploy.created() == ["us-east-1"]


# Resuming a release whose deployment is still running in AWS


def test_a_running_deployment_is_attached_to_not_started_twice(world, capsys):
    world.config = canary(THREE_WAVES)
    from components.regional.release_plan import RegionStep, deployment_request

    running = world.codedeploy.client("us-east-1").create_deployment(
        **deployment_request(APPLICATION, RegionStep("us-east-1", function("us-east-1"), OLD, NEW))
    )["deploymentId"]
    world.codedeploy.calls.clear()
    assert world.run("--json") == 0
    assert world.aliases() == {r: NEW for r in REGIONS}
    assert world.codedeploy.created() == ["eu-west-1", "ap-southeast-1"]
    summary = json.loads(capsys.readouterr().out)
    assert summary["regions"]["us-east-1"]["deploymentId"] == running


def test_a_deployment_that_starts_between_the_look_and_the_start_is_attached_to(world, monkeypatch):
    world.config = canary([list(REGIONS)])
    fake = world.codedeploy
    original = fake.client

    class Racing:
        """eu-west-1: someone else's deployment starts just after ops.release looked for one."""

        def __init__(self, region):
            self.inner, self.region, self.looked = original(region), region, False

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def list_deployments(self, **kwargs):
            answer = self.inner.list_deployments(**kwargs)
            if self.region == "eu-west-1" and not self.looked:
                self.looked = True
                from components.regional.release_plan import RegionStep, deployment_request

                step = RegionStep("eu-west-1", function("eu-west-1"), OLD, NEW)
                self.inner.create_deployment(**deployment_request(APPLICATION, step))
            return answer

    racing = {r: Racing(r) for r in REGIONS}
    monkeypatch.setattr(fake, "client", lambda region: racing[region])
    assert world.run() == 0
    assert world.aliases() == {r: NEW for r in REGIONS}
    assert len([d for d in fake.deployments.values() if d.region == "eu-west-1"]) == 1


def test_an_attached_deployment_to_an_older_version_is_followed_by_one_to_the_newest(world):
    world.config = canary(THREE_WAVES)
    client = world.lambda_client("us-east-1")
    client.update_function_code(FunctionName=function("us-east-1"), ZipFile=zipped("newer"))
    assert client.publish_version(FunctionName=function("us-east-1"))["Version"] == "3"
    from components.regional.release_plan import RegionStep, deployment_request

    world.codedeploy.client("us-east-1").create_deployment(
        **deployment_request(APPLICATION, RegionStep("us-east-1", function("us-east-1"), OLD, NEW))
    )
    world.codedeploy.calls.clear()
    assert world.run() == 0
    assert world.aliases() == {"us-east-1": "3", "eu-west-1": NEW, "ap-southeast-1": NEW}
    moves = [(d.current, d.target) for d in world.codedeploy.deployments.values() if d.region == "us-east-1"]
    assert moves == [(OLD, NEW), (NEW, "3")]


# --dry-run, all-at-once, nothing to do


def test_dry_run_prints_the_plan_and_changes_nothing(world, capsys):
    assert world.run("--dry-run") == 0
    assert world.aliases() == {r: OLD for r in REGIONS}
    assert world.codedeploy.created() == [] and world.codedeploy.deployments == {}
    out = capsys.readouterr().out
    assert f"stack prod: canary release through {CANARY_5}, baking 10 min" in out
    assert "wave 1: us-east-1 1 -> 2" in out and "wave 2: eu-west-1 1 -> 2; ap-southeast-1 1 -> 2" in out


def test_dry_run_json_is_the_planned_summary(world, capsys):
    assert world.run("--dry-run", "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["result"] == "planned" and summary["dryRun"] is True
    assert {r: v["status"] for r, v in summary["regions"].items()} == {r: "planned" for r in REGIONS}
    assert world.codedeploy.deployments == {}


def test_all_at_once_has_nothing_to_release(capsys):
    # the dev stack says nothing of `release`: all-at-once, and no outputs, Pulumi CLI or AWS needed
    assert release.main(["--stack", "dev"], runner=_no_pulumi) == 0
    out = capsys.readouterr().out
    assert "all-at-once" in out and "nothing to release" in out


def test_nothing_to_release_when_every_alias_is_on_its_newest_version(world, capsys):
    assert world.run() == 0
    capsys.readouterr()
    world.codedeploy.calls.clear()
    assert world.run("--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["result"] == "nothing-to-release" and world.codedeploy.calls == []


# --json


def test_json_is_one_document_of_the_documented_shape(world, capsys):
    assert world.run("--json") == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert set(summary) == {"stack", "strategy", "dryRun", "result", "message", "stoppedAt", "waves", "regions"}
    assert (summary["stack"], summary["strategy"], summary["dryRun"], summary["result"]) == (
        "prod",
        "canary",
        False,
        "complete",
    )
    assert summary["stoppedAt"] is None
    assert summary["waves"] == [
        {"regions": ["us-east-1"], "bakeMinutes": BAKE_MINUTES, "alarm": None},
        {"regions": ["eu-west-1", "ap-southeast-1"], "bakeMinutes": 0, "alarm": None},
    ]
    ids = {d.region: d.id for d in world.codedeploy.deployments.values()}
    assert summary["regions"] == {
        r: {
            "wave": 1 if r == "us-east-1" else 2,
            "function": function(r),
            "from": OLD,
            "to": NEW,
            "status": "succeeded",
            "deploymentId": ids[r],
        }
        for r in REGIONS
    }
    assert "wave 1/2" in captured.err  # progress beside the JSON, on stderr


# Unusable input and AWS errors: exit 2, one line


def _no_pulumi(*args, **kwargs):
    raise FileNotFoundError("pulumi")


def test_an_unknown_stack_is_one_line(capsys):
    assert release.main(["--stack", "staging", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and one_line(captured.err).startswith("ops.release: ")
    assert "Pulumi.staging.yaml" in captured.err


def test_without_the_pulumi_cli_it_says_install_it_or_pass_outputs(capsys):
    assert release.main(["--stack", "prod", *canary()], runner=_no_pulumi) == 2
    line = one_line(capsys.readouterr().err)
    assert "the Pulumi CLI is not installed" in line and "--outputs FILE" in line


def test_the_pulumi_cli_is_asked_for_the_stacks_outputs(world):
    asked = []

    def pulumi(command, **kwargs):
        asked.append(command)
        return subprocess.CompletedProcess(command, 0, world.outputs.read_text(), "")

    assert release.main(["--stack", "prod", "--dry-run", *canary()], clients=world.clients, runner=pulumi) == 0
    assert asked == [["pulumi", "stack", "output", "--json", "--stack", "prod"]]


def test_a_failing_pulumi_cli_is_one_line_with_its_last_words(capsys):

    def pulumi(command, **kwargs):
        return subprocess.CompletedProcess(command, 255, "", "warning: x\nerror: no stack named 'prod' found\n")

    assert release.main(["--stack", "prod", *canary()], runner=pulumi) == 2
    line = one_line(capsys.readouterr().err)
    assert "pulumi stack output --json --stack prod failed: error: no stack named 'prod' found" in line


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (None, "cannot read --outputs"),
        ("{not json", "is not JSON"),
        ("[1, 2]", "is not a JSON object of stack outputs"),
        ('{"url": "https://x"}', "has no functionNames output: run pulumi up"),
        ('{"functionNames": ["a"]}', "functionNames must map each region"),
        ('{"functionNames": {"us-east-1": "a"}}', "no function for eu-west-1, ap-southeast-1"),
    ],
)
def test_bad_outputs_are_one_line(tmp_path, capsys, text, words):
    path = tmp_path / "outputs.json"
    if text is not None:
        path.write_text(text)
    assert (
        release.main(["--stack", "prod", "--outputs", str(path), "--json", *canary()], clients=lambda s, r: None) == 2
    )
    captured = capsys.readouterr()
    assert captured.out == "" and words in one_line(captured.err)


def test_an_aws_error_names_the_region_the_call_and_awss_code(world, capsys):
    world.codedeploy.deny("eu-west-1", "CreateDeployment")
    assert world.run("--json") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = captured.err.strip().splitlines()[-1]
    assert line.startswith("ops.release: eu-west-1: codedeploy CreateDeployment: AccessDeniedException: User is not")
    assert "Traceback" not in captured.err


def test_a_missing_deployment_group_is_found_before_anything_moves(world, capsys):
    del world.codedeploy.groups[("ap-southeast-1", APPLICATION, "live")]
    assert world.run() == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(
        "ops.release: ap-southeast-1: codedeploy GetDeploymentGroup: ApplicationDoesNotExistException"
    )
    assert world.codedeploy.created() == [] and world.aliases() == {r: OLD for r in REGIONS}


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (NoCredentialsError(), "us-east-1: lambda ListVersionsByFunction: no AWS credentials"),
        (
            EndpointConnectionError(endpoint_url="https://lambda.us-east-1.amazonaws.com/"),
            "us-east-1: lambda ListVersionsByFunction: cannot reach https://lambda.us-east-1.amazonaws.com/",
        ),
    ],
)
def test_credential_and_network_problems_are_one_line(world, capsys, error, words):

    class Broken:
        def __getattr__(self, name):
            def fails(**kwargs):
                raise error

            return fails

    assert (
        release.main([*world.config, "--stack", "prod", "--outputs", str(world.outputs)], clients=lambda s, r: Broken())
        == 2
    )
    assert words in one_line(capsys.readouterr().err)


def test_an_alias_on_latest_is_a_named_error(world, capsys):
    world.lambda_client("eu-west-1").update_alias(
        FunctionName=function("eu-west-1"), Name="live", FunctionVersion="$LATEST"
    )
    assert world.run() == 2
    assert "eu-west-1: alias live of" in one_line(capsys.readouterr().err)


# The arguments


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ([], "the following arguments are required: --stack"),
        (["--stack", "prod", "--wave", "2"], "unrecognized arguments: --wave 2"),
        (["--stack", "prod", "--dry"], "unrecognized arguments: --dry"),  # no abbreviations
        (["--stack"], "argument --stack: expected one argument"),
    ],
)
def test_argument_errors_are_one_line_and_exit_2(capsys, argv, words):
    assert release.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and words in one_line(captured.err) and "(--help for usage)" in captured.err


def test_help_names_every_option(capsys):
    assert release.main(["--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--stack", "--config", "--outputs", "--dry-run", "--json"):
        assert option in out
    assert '"stoppedAt"' in out and "130 interrupted" in out  # the --json shape and the exit codes


# The driver's own reading


def test_versions_are_read_from_every_page():
    class Paged:
        pages = {None: (["$LATEST", "1", "2"], "m1"), "m1": (["3", "11"], "m2"), "m2": (["4"], None)}

        def list_versions_by_function(self, FunctionName, Marker=None):
            versions, following = self.pages[Marker]
            return {"Versions": [{"Version": v} for v in versions], **({"NextMarker": following} if following else {})}

        def get_alias(self, FunctionName, Name):
            return {"FunctionVersion": "3"}

    state = release_aws.read_state(lambda service, region: Paged(), "eu-west-1", "api")
    assert (state.current, state.newest) == ("3", "11")


def test_a_deployment_group_on_another_config_than_the_stack_says_is_noted(world, capsys):
    world.config = canary([list(REGIONS)], 0, "linear", intervalMinutes=1)  # LambdaLinear10PercentEvery1Minute
    assert world.run("--dry-run") == 0
    out = capsys.readouterr().out
    assert f"the deployment groups use {CANARY_5}" in out  # the groups disagree with the config: said


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_release_passes_the_exit_code_through():
    done = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "release", "STACK=nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "ops.release: " in done.stderr and "Pulumi.nope.yaml" in done.stderr
    done = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "release", "STACK=dev"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "nothing to release" in done.stdout, done.stderr


# Through boto3 itself: credentials, profile and endpoint problems


def _no_aws(monkeypatch, tmp_path):
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


def _outputs(tmp_path):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"functionNames": {r: function(r) for r in REGIONS}}))
    return str(path)


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({}, "us-east-1: lambda ListVersionsByFunction: no AWS credentials (set AWS_PROFILE"),
        ({"AWS_PROFILE": ""}, "us-east-1: lambda ListVersionsByFunction: the AWS profile '' (AWS_PROFILE)"),
        (
            {
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            },
            "us-east-1: lambda ListVersionsByFunction: cannot reach http://127.0.0.1:9",
        ),
    ],
)
def test_aws_problems_through_boto3_are_one_line_and_exit_2(monkeypatch, tmp_path, capsys, env, words):
    _no_aws(monkeypatch, tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert release.main(["--stack", "prod", "--outputs", _outputs(tmp_path), "--json", *canary()]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and words in one_line(captured.err)


def test_credentials_are_resolved_for_each_run_not_taken_from_boto3s_default_session(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "earlier")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "earlier")
    boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None and boto3.DEFAULT_SESSION.get_credentials() is not None  # cached now
    _no_aws(monkeypatch, tmp_path)
    assert release.main(["--stack", "prod", "--outputs", _outputs(tmp_path), *canary()]) == 2
    assert "no AWS credentials" in one_line(capsys.readouterr().err)


def test_every_option_has_help_text():
    for action in release.parser()._actions:
        assert action.help and action.help != "==SUPPRESS==", action.option_strings


def test_from_the_shell_unusable_input_is_one_line_and_nothing_on_stdout():
    done = subprocess.run(
        [sys.executable, "-m", "ops.release", "--stack", "nope", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert one_line(done.stderr).startswith("ops.release: no stack file Pulumi.nope.yaml")


def test_ctrl_c_leaves_the_started_deployments_to_aws_and_says_a_rerun_attaches(world, capsys):

    def sleep(seconds):
        raise KeyboardInterrupt

    assert world.run("--json", sleep=sleep) == 130
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines()[-1] == (
        "ops.release: interrupted; deployments already started go on in AWS: run it again to attach"
    )
    (running,) = world.codedeploy.deployments.values()
    assert (running.region, running.status) == ("us-east-1", "InProgress")
    capsys.readouterr()
    world.codedeploy.calls.clear()
    assert world.run() == 0  # the rerun attaches to it and goes on
    assert world.codedeploy.created() == ["eu-west-1", "ap-southeast-1"]
    assert world.aliases() == {r: NEW for r in REGIONS}


def test_a_success_that_left_the_alias_elsewhere_is_a_failure_not_a_release(world, monkeypatch, capsys):
    world.config = canary(THREE_WAVES)
    fake = world.codedeploy

    def advance(deployment):  # CodeDeploy says Succeeded, yet nothing moved the alias
        if deployment.status == "InProgress" and world.clock() >= deployment.ends:
            world.lambda_client(deployment.region).update_alias(
                FunctionName=deployment.function, Name="live", RoutingConfig={"AdditionalVersionWeights": {}}
            )
            deployment.status = "Succeeded"

    monkeypatch.setattr(fake, "_advance", advance)
    assert world.run() == 1
    assert world.aliases() == {r: OLD for r in REGIONS} and fake.created() == ["us-east-1"]
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert "stopped at us-east-1 (wave 1): failed: deployment d-FAKE00001 succeeded but live is on 1, not 2" in last


# Through the stack config's `release` key, as `pulumi config set` stores it


def test_the_stack_configs_release_gives_the_waves_and_the_bake(world, capsys):
    config = {"strategy": "canary", "waves": [["eu-west-1"], ["us-east-1", "ap-southeast-1"]], "bakeMinutes": 5}
    assert world.run("--config", f"release={json.dumps(config)}", "--json") == 0
    assert world.aliases() == {r: NEW for r in REGIONS}
    assert world.codedeploy.created() == ["eu-west-1", "us-east-1", "ap-southeast-1"]
    started = {d.region: d.created for d in world.codedeploy.deployments.values()}
    assert started["us-east-1"] == started["ap-southeast-1"] >= started["eu-west-1"] + CANARY_SECONDS + 5 * 60
    summary = json.loads(capsys.readouterr().out)
    assert [w["regions"] for w in summary["waves"]] == config["waves"]
    assert [w["bakeMinutes"] for w in summary["waves"]] == [5, 0]


def test_a_bad_release_config_is_the_configs_one_line(capsys):
    config = json.dumps({"strategy": "linear", "intervalMinutes": 7})
    assert release.main(["--stack", "prod", "--config", f"release={config}", "--json"], runner=_no_pulumi) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "intervalMinutes 7" in one_line(captured.err)


def test_all_at_once_in_the_config_has_nothing_to_release(capsys):
    assert release.main(["--stack", "prod", "--config", 'release={"strategy": "all-at-once"}'], runner=_no_pulumi) == 0
    assert "nothing to release" in capsys.readouterr().out


# A version Lambda cannot run yet: SnapStart's snapshot still being taken (State Pending), or Failed


class VersionStates:
    """moto's Lambda in one region, but GetFunctionConfiguration of the new version answers `state(now)`: moto's
    versions are Active at once, Lambda's SnapStart versions are Pending until their snapshot is taken."""

    def __init__(self, client, clock: FakeClock, state) -> None:
        self.client, self.clock, self.state = client, clock, state

    def __getattr__(self, name):
        return getattr(self.client, name)

    def get_function_configuration(self, **kwargs):
        answer = self.client.get_function_configuration(**kwargs)
        if kwargs.get("Qualifier") == NEW:
            answer = {**answer, **self.state(self.clock())}
        return answer


def with_version_states(world: World, **states) -> None:
    """`states`: region (underscored) -> now -> the State fields GetFunctionConfiguration answers for version 2."""
    plain = world.clients

    def clients(service: str, region: str):
        client = plain(service, region)
        state = states.get(region.replace("-", "_"))
        return VersionStates(client, world.clock, state) if service == "lambda" and state else client

    world.clients = clients  # type: ignore[method-assign]


def test_a_snapstart_version_still_pending_is_waited_for_before_its_deployment(world, capsys):
    world.config = canary(THREE_WAVES)
    ready = 90.0  # us-east-1's version 2 becomes Active 90 s in (its snapshot taken)
    with_version_states(world, us_east_1=lambda now: {"State": "Active" if now >= ready else "Pending"})
    assert world.run() == 0
    assert world.aliases() == {r: NEW for r in REGIONS}
    started = {d.region: d.created for d in world.codedeploy.deployments.values()}
    assert ready <= started["us-east-1"] < ready + release_run.VERSION_POLL_SECONDS
    out = capsys.readouterr().out
    assert "us-east-1: version 2 is Pending (SnapStart snapshot?): waiting until it is Active" in out
    assert "us-east-1: version 2 is Active" in out


def test_a_failed_version_stops_its_region_without_a_deployment(world, capsys):
    failed = {"State": "Failed", "StateReasonCode": "FunctionError", "StateReason": "init raised"}
    with_version_states(world, ap_southeast_1=lambda now: failed)
    assert world.run("--json") == 1
    # its wave neighbour moved; the failed region was never asked to move
    assert world.aliases() == {"us-east-1": NEW, "eu-west-1": NEW, "ap-southeast-1": OLD}
    assert world.codedeploy.created() == ["us-east-1", "eu-west-1"]
    summary = json.loads(capsys.readouterr().out)
    assert summary["stoppedAt"]["region"] == "ap-southeast-1"
    reason = summary["stoppedAt"]["reason"]
    assert reason.startswith(
        f"failed: version 2 of {function('ap-southeast-1')} is Failed (FunctionError: init raised)"
    )
    assert "pulumi up to publish a new version, then run the release again" in reason
    assert summary["regions"]["ap-southeast-1"]["status"] == "failed"


def test_a_version_pending_past_the_bound_stops_with_the_check_to_run(world, capsys):
    world.config = canary(THREE_WAVES)
    with_version_states(world, us_east_1=lambda now: {"State": "Pending"})
    assert world.run() == 1
    assert world.codedeploy.created() == []
    assert world.aliases() == {r: OLD for r in REGIONS}
    assert world.clock() >= release_run.VERSION_ACTIVE_SECONDS  # 26 min, botocore's waiter's bound
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert (
        f"stopped at us-east-1 (wave 1): failed: version 2 of {function('us-east-1')} still Pending after 26 min"
        in last
    )
    assert (
        f"aws lambda get-function-configuration --function-name {function('us-east-1')} --qualifier 2 "
        "--region us-east-1" in last
    )
