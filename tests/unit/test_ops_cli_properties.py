"""Whatever the arguments, the ops tools end with exit 0, 1 or 2 and never a traceback; with `--json`
and exit 0, stdout is exactly one JSON document. AWS is moto; game days probe a stand-in function."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import boto3
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from functions.api import contract
from ops import cost, gameday, report
from ops.probe import ProbeResult
from tests.support.clock import FakeClock

PARAMETER = "/global-serverless/dev/chaos"
SCRATCH = Path(tempfile.mkdtemp(prefix="ops-cli-properties-"))
(SCRATCH / "a-file").write_text("not a directory\n")

# Tokens a person (or a typo) might give: good values, bad values, options in any order.
VALUES = st.sampled_from(
    [
        "dev", "prod", "staging", "", "eu-west-1", "us-east-1", "ap-southeast-1", "0", "1", "-1", "0.5", "1e6",
        "nan", "inf", "lots", "300", "503", "404", "down", "latency", "error", "none", "status", "run",
        str(SCRATCH / "out"), str(SCRATCH / "a-file"), str(SCRATCH / "a-file" / "sub"), "route53", "cloudfront",
        "route53=http://127.0.0.1:9/health", "entry=http://127.0.0.1:9/health", "route53=ftp://x", "=", "--",
    ]
)  # fmt: skip


def options(names: list[str]) -> st.SearchStrategy[list[str]]:
    option = st.sampled_from(names)
    pair = st.tuples(option, VALUES).map(list)
    flag = st.sampled_from(["--json", "--help", "-h", "--from-cloudwatch", "--nope"]).map(lambda f: [f])
    return st.lists(st.one_of(pair, pair, flag, VALUES.map(lambda v: [v])), max_size=8).map(
        lambda parts: [token for part in parts for token in part]
    )


def check(call, argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    # In a scratch directory: a generated relative path (`--out -1`) must not land in the repository.
    with contextlib.chdir(SCRATCH), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = call(argv)
        except SystemExit as done:  # would be a different exit path than main()'s return
            pytest.fail(f"{argv}: SystemExit({done.code}) escaped main()")
    assert code in (0, 1, 2), (argv, code, err.getvalue())
    assert "Traceback" not in err.getvalue() + out.getvalue(), argv
    if code == 2:
        assert len(err.getvalue().strip().splitlines()) == 1, (argv, err.getvalue())
    if code == 0 and "--json" in argv and not {"--help", "-h"} & set(argv):
        json.loads(out.getvalue())


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(options(["--stack", "--requests-per-month", "--response-kb", "--write-share"]))
@example(["--stack", "dev", "--requests-per-month", "1e6", "--json"])
def test_ops_cost_any_arguments(argv):
    check(cost.main, argv)


@PROPERTY
@given(options(["--stack", "--out", "--gameday", "--requests-per-month", "--response-kb", "--write-share", "--hours"]))
@example(["--json", "--stack", "prod", "--out", str(SCRATCH / "out")])
@example(["--stack", "prod", "--out", str(SCRATCH / "out"), "--from-cloudwatch"])
def test_ops_report_any_arguments(argv):
    check(lambda a: report.main(a, cloudwatch_for=lambda r: _NoCredentials()), argv)


class _NoCredentials:
    def get_metric_statistics(self, **_):
        from botocore.exceptions import NoCredentialsError

        raise NoCredentialsError()


@pytest.fixture(scope="module")
def ssm():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        with mock_aws():
            for region in ("us-east-1", "eu-west-1"):
                boto3.client("ssm", region_name=region).put_parameter(
                    Name=PARAMETER, Value=contract.CHAOS_NONE, Type="String"
                )
            yield lambda region: boto3.client("ssm", region_name=region)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from([[], ["run"], ["status"], ["none"], ["down"], ["latency"], ["error"], ["explode"]]),
    options(
        [
            "--stack",
            "--region",
            "--fault",
            "--duration",
            "--recover-timeout",
            "--door",
            "--url",
            "--out",
            "--ms",
            "--rate",
            "--status",
        ]
    ),  # fmt: skip
    st.integers(min_value=0, max_value=8),
)
@example(["status"], ["--stack", "dev", "--json"], 2)
@example(["down"], ["--stack", "dev", "--region", "eu-west-1", "--json"], 0)
@example(["run"], ["--stack", "dev", "--region", "eu-west-1", "--fault", "down", "--duration", "3",
                   "--recover-timeout", "3", "--url", "route53=http://127.0.0.1:9/health",
                   "--out", str(SCRATCH / "gd"), "--json"], 4)  # fmt: skip
def test_ops_gameday_any_arguments(ssm, mode, argv, at):
    argv = [*argv[:at], *mode, *argv[at:]]  # the subcommand anywhere among the options

    def call(a):
        clock = FakeClock(0.0)
        code = gameday.main(
            a, ssm, probe=lambda url, timeout: ProbeResult(200, "us-east-1", 1.0), clock=clock, sleep=clock.advance
        )
        ssm("eu-west-1").put_parameter(Name=PARAMETER, Value=contract.CHAOS_NONE, Type="String", Overwrite=True)
        ssm("us-east-1").put_parameter(Name=PARAMETER, Value=contract.CHAOS_NONE, Type="String", Overwrite=True)
        return code

    check(call, argv)
