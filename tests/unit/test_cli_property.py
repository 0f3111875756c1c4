"""Property: whatever plausible arguments `offline.plan|check|diff` get, they exit 0, 1 or 2, never print a
traceback, say an error in one line on stderr, and with --json print JSON alone on stdout.

The program run under mocks (1-3 s) is stubbed by one canned run of prod: argument handling, config
parsing, policies, --base/--state reading and the output are real, and each example takes milliseconds."""

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from functools import cache
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offline import check, diff, plan
from offline.engine.lifecycle import plan_update
from offline.engine.run import ProgramRun, run_program
from offline.stack_config import ROOT
from offline.stack_facts import stack_settings

TOOLS = {"plan": plan, "check": check, "diff": diff}

STACKS = ["dev", "prod", "nope", "", "../dev", "Pulumi.prod"]
CONFIGS = [
    'regions=["us-east-1"]', 'regions=[', "regions[0]=mars-1", "regions[9]=eu-west-1", "regions.x=1",
    "backend=alb", "backend=lambda", "backend.scheme=internal", "frontDoor=cloudfront", "frontDoor=route53",
    "healthCheck.path=/ready", "healthCheck.intervalSeconds=7", "healthCheck[=1", 'healthCheck["path"]=/x',
    "trafficDials.eu-west-1=0", "trafficDials.eu-west-1=abc", "trafficDials.mars-1=5", "waf.rateLimit=2000",
    "domain=null", "allowPlaintext=true", "aws:region=eu-west-1", "noequals", "=x", 'a["\\x"]=1', "regions=null",
]  # fmt: skip
JUNK = ["--bogus", "extra", "--", "-", "--stack=prod", "--config=backend=alb", "--stack", "--config", "--base",
        "--state", "-x", "--json=1"]  # fmt: skip
FILES = ["missing", "directory", "bad.yaml", "noconfig.yaml", "base.yaml", "binary", "bad.json", "list.json", "{}"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    (folder / "directory").mkdir()
    (folder / "bad.yaml").write_text(": :\n  - x")
    (folder / "noconfig.yaml").write_text("config: [1]\n")
    shutil.copy(ROOT / "Pulumi.prod.yaml", folder / "base.yaml")
    (folder / "binary").write_bytes(b"\xff\xfe\x00garbage")
    (folder / "bad.json").write_text("not json")
    (folder / "list.json").write_text("[]")
    (folder / "{}").write_text("{}")
    return folder


@cache
def canned_run() -> ProgramRun:
    return run_program("prod")


def fake_run_program(stack, overrides=(), **kwargs):
    return canned_run()


def fake_plan_transition(stack, before, after, created_before_release=False):
    stack_settings(stack, values=before), stack_settings(stack, values=after)  # the real one raises these too
    update = plan_update(ProgramRun(stack=stack, resources=[], outputs={}), canned_run(), identity=False)
    if "cloudfront" in json.dumps(after):
        update.hazards.append("a canned hazard")
    return update, None, None


VALID = ["healthCheck.path=/ready", "trafficDials.eu-west-1=0", "frontDoor=cloudfront", "waf.rateLimit=2000"]


def arguments(folder):
    option = st.one_of(  # the first two most of the time: most argument lists are usable
        st.tuples(st.just("--stack"), st.sampled_from(["dev", "prod"])),
        st.tuples(st.just("--config"), st.sampled_from(VALID)),
        st.tuples(st.just("--stack"), st.sampled_from(STACKS)),
        st.tuples(st.just("--config"), st.sampled_from(CONFIGS) | st.text(max_size=12)),
        st.tuples(st.sampled_from(["--base", "--state"]), st.sampled_from(FILES).map(lambda f: str(folder / f))),
        st.tuples(st.just("--json")),
        st.tuples(st.sampled_from(JUNK)),
    )
    return st.lists(option, max_size=5).map(lambda options: [token for tokens in options for token in tokens])


def invoke(tool: str, argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = TOOLS[tool].main(argv)
        except SystemExit as exited:
            code = exited.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_any_plausible_arguments_exit_0_1_or_2_without_a_traceback(tool, files):
    canned_run()

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(argv=arguments(files))
    def holds(argv):
        code, out, err = invoke(tool, argv)
        assert code in (0, 1, 2), (argv, code, err)
        assert "Traceback" not in err and "unexpected" not in err, (argv, err)
        if code == 2:
            assert err.count("\n") == 1 and out == "", (argv, err)
        elif "--json" in argv:
            json.loads(out)

    with (
        mock.patch("offline.plan.run_program", fake_run_program),
        mock.patch("offline.check.run_program", fake_run_program),
        mock.patch("offline.diff.plan_transition", fake_plan_transition),
    ):
        holds()
