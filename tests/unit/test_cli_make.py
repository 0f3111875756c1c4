"""`make plan|diff|check` and the tools' exit codes.

GNU make itself exits 0 or 2 (1 only under -q): a recipe's exit 1 becomes make's 2, so make cannot hand a
script the tool's own code. The targets write it where STATUS= says (0 ok, 1 findings, 2 unusable input),
make's exit is nonzero whenever the tool's is, and `make -s ... JSON=1` leaves stdout to the tool's JSON."""

import json
import shutil
import subprocess

import pytest

from offline.stack_config import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(tmp_path, target: str, *variables: str) -> tuple[subprocess.CompletedProcess, str]:
    status = tmp_path / f"{target}.status"
    done = subprocess.run(
        # -o: never reinstall the virtualenv from a test
        ["make", "-s", "-o", ".venv/.installed", target, f"STATUS={status}", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done, status.read_text().strip() if status.exists() else "(no status written)"


def test_a_hazard_is_status_1_and_json_alone_on_stdout(tmp_path):
    done, status = make(tmp_path, "diff", "STACK=prod", "CONFIG=--config frontDoor=cloudfront", "JSON=1")
    assert status == "1" and done.returncode != 0, done.stderr
    assert json.loads(done.stdout)["hazards"]


@pytest.mark.parametrize("target", ["plan", "diff", "check"])
def test_unusable_input_is_status_2(target, tmp_path):
    done, status = make(tmp_path, target, "STACK=nope")
    assert status == "2" and done.returncode != 0
    assert f"offline.{target}: " in done.stderr and "no stack file Pulumi.nope.yaml" in done.stderr


def test_success_is_status_0_and_exit_0(tmp_path):
    done, status = make(tmp_path, "plan", "STACK=dev", "CONFIG=--config healthCheck.path=/ready")
    assert (status, done.returncode) == ("0", 0), done.stderr
    assert done.stdout.startswith("stack dev: ")
