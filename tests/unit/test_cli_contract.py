"""The offline tools' command-line contract (docs/DESIGN.md "Command-line contracts"), for `offline.plan`,
`offline.check` and `offline.diff`: `--json` prints one documented object and nothing else, every option
has help, any error is one line on stderr with exit 2 (never a traceback, a missing package named with
the way to install it), findings exit 1."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from offline import check, diff, plan

ROOT = Path(__file__).resolve().parents[2]
TOOLS = {"plan": plan, "check": check, "diff": diff}


def run(tool: str, *argv: str, env: dict | None = None, python_flags: tuple = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *python_flags, "-m", f"offline.{tool}", *argv],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def in_process(tool: str, argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = TOOLS[tool].main(argv)
    except SystemExit as exited:
        code = exited.code
    out, err = capsys.readouterr()
    return code, out, err


def one_line(stderr: str) -> bool:
    return stderr.count("\n") == 1 and stderr.endswith("\n") and "Traceback" not in stderr


# --- --json: one documented object on stdout, findings exit 1 ------------------------------------------------

ONE_REGION = 'regions=["us-east-1"]'


@pytest.fixture(scope="module")
def plan_json():
    return run("plan", "--json", "--stack", "prod", "--config", ONE_REGION)


@pytest.fixture(scope="module")
def check_json():
    return run("check", "--stack", "prod", "--config", ONE_REGION, "--json")


@pytest.fixture(scope="module")
def diff_json():
    return run("diff", "--stack", "prod", "--json", "--config", "frontDoor=cloudfront")


def test_plan_json_shape(plan_json):
    assert plan_json.returncode == 0, plan_json.stderr
    document = json.loads(plan_json.stdout)
    assert set(document) == {"stack", "total", "resources", "security", "release", "outputs"}
    assert document["stack"] == "prod" and list(document["resources"]) == ["us-east-1"]
    assert document["resources"]["us-east-1"]["aws:dynamodb/table:Table"] == 1
    assert document["total"] == sum(document["resources"]["us-east-1"].values())
    assert all(isinstance(line, str) for line in document["security"]) and document["security"]
    assert isinstance(document["outputs"], dict) and document["outputs"]


def test_check_json_shape_and_findings_exit_1(check_json):
    assert check_json.returncode == 1, check_json.stderr
    document = json.loads(check_json.stdout)
    assert set(document) == {
        "stack", "resources", "policies", "pack_config", "notes", "violations", "mandatory", "advisory",
    }  # fmt: skip
    assert document["mandatory"] >= 1 and document["mandatory"] + document["advisory"] == len(document["violations"])
    violation = next(v for v in document["violations"] if v["policy"] == "min-regions")
    assert set(violation) == {"policy", "level", "resource", "urn", "message"} and violation["level"] == "mandatory"


def test_plan_and_check_count_the_same_resources(plan_json, check_json):
    assert json.loads(check_json.stdout)["resources"] == json.loads(plan_json.stdout)["total"]


def test_diff_json_shape_and_hazards_exit_1(diff_json):
    assert diff_json.returncode == 1, diff_json.stderr
    document = json.loads(diff_json.stdout)
    assert set(document) == {"stack", "base", "change", "steps", "notices", "hazards"}
    assert document["change"] == ["frontDoor=cloudfront"] and "Pulumi.prod.yaml" in document["base"]
    replaced = document["steps"]["eu-west-1"]["replace"]
    alb = next(step for step in replaced if step["resource"] == "aws:lb/loadBalancer:LoadBalancer::eu-west-1-alb")
    assert alb["forced_by"] == ["internal"] and alb["urn"].startswith("urn:pulumi:prod::")
    assert set(alb) == {"resource", "urn", "changed", "forced_by", "delete_first", "was"}
    assert set(document["steps"]["eu-west-1"]) <= {"create", "replace", "update", "delete"}
    assert any("deletion protection on" in hazard for hazard in document["hazards"])
    assert all(isinstance(notice, str) for notice in document["notices"])


# --- errors: one line on stderr, exit 2 ------------------------------------------------------------------


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_every_option_has_help(tool):
    parser = TOOLS[tool].build_parser()
    options = [action for action in parser._actions if action.option_strings]
    assert {"--stack", "--config", "--json"} <= {name for action in options for name in action.option_strings}
    assert all(action.help and action.help.strip() for action in options)


@pytest.mark.parametrize(
    "tool, argv, says",
    [
        ("plan", ["--bogus"], "unrecognized arguments: --bogus"),
        ("check", [], "the following arguments are required: --stack"),
        ("diff", ["--stack"], "argument --stack: expected one argument"),
        ("diff", ["--stack", "dev", "--base", "a", "--state", "b"], "not allowed with argument"),
        ("plan", ["--stack", "dev", "--config", "backend=alb", "--config", "domain=null"], "Fix: "),
        ("check", ["--stack", "prod", "--config", "backend=lambda"], "unknown backend"),
        ("diff", ["--stack", "prod", "--config", "backend.scheme=x"], "is a string, not a map"),
        ("plan", ["--stack", "nope", "--json"], "no stack file Pulumi.nope.yaml"),
    ],
)
def test_any_error_is_one_line_and_exit_2(tool, argv, says, capsys):
    code, out, err = in_process(tool, argv, capsys)
    assert code == 2 and out == ""
    assert one_line(err) and says in err and err.startswith(f"offline.{tool}: "), err


def test_an_unexpected_failure_is_one_line_and_exit_2(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("the mocks fell over")

    monkeypatch.setattr("offline.plan.run_program", broken)
    code, out, err = in_process("plan", ["--stack", "dev"], capsys)
    assert code == 2 and out == "" and one_line(err)
    assert "RuntimeError: the mocks fell over" in err and "bug" in err


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_a_missing_package_is_named_with_how_to_install_it(tool, tmp_path):
    (tmp_path / "pulumi.py").write_text("raise ModuleNotFoundError(\"No module named 'pulumi'\", name='pulumi')\n")
    done = run(tool, "--stack", "dev", env={"PYTHONPATH": str(tmp_path)})
    assert done.returncode == 2 and done.stdout == "" and one_line(done.stderr), done.stderr
    assert "'pulumi'" in done.stderr and "make install" in done.stderr


def test_outside_the_virtualenv_the_missing_package_is_named():
    done = run("diff", "--stack", "dev", python_flags=("-S",))  # no site-packages: as a bare system Python
    assert done.returncode == 2 and done.stdout == "" and one_line(done.stderr), done.stderr
    assert "is not installed" in done.stderr and "make install" in done.stderr
