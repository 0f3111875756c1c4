"""`python -m offline.diff`: what people and pull requests read before `pulumi up` on a live stack."""

import subprocess
import sys

import pytest
import yaml

from offline.diff import main
from offline.stack_config import ROOT


def test_leaving_global_accelerator_on_a_stack_it_created_names_the_alb_replacement(capsys):
    """Created by this release behind Global Accelerator alone, the ALBs are internal: a public door
    replaces them, and deletion protection must be off for the old ones to go."""
    assert main(["--stack", "prod", "--config", "frontDoor=cloudfront"]) == 1
    out = capsys.readouterr().out
    assert "replace  aws:lb/loadBalancer:LoadBalancer::eu-west-1-alb  (forced by internal)" in out
    assert "eu-west-1-alb has deletion protection on: AWS refuses to delete the old one after replacing it" in out


def test_removing_a_prod_region_names_each_hazard(capsys):
    assert main(["--stack", "prod", "--config", 'regions=["us-east-1", "eu-west-1"]']) == 1
    out = capsys.readouterr().out
    assert "ap-southeast-1:" in out and "delete   aws:lb/loadBalancer:LoadBalancer::ap-southeast-1-alb" in out
    assert "replica in ap-southeast-1 has deletion protection on" in out
    assert "ap-southeast-1-alb has deletion protection on" in out
    assert "security group named GlobalAccelerator" in out


def test_against_another_base_file(tmp_path, capsys):
    base = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    base["config"]["global-serverless:frontDoor"] = "cloudfront"
    # Unprotected: going to Global Accelerator alone replaces the (internet-facing) ALBs by internal ones.
    base["config"]["global-serverless:deletionProtection"] = False
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(base))
    assert main(["--stack", "prod", "--base", str(path)]) == 0
    out = capsys.readouterr().out
    assert "create   aws:globalaccelerator/accelerator:Accelerator::globalaccelerator" in out
    assert "replace  aws:lb/loadBalancer:LoadBalancer::us-east-1-alb  (forced by internal)" in out


def test_a_scheme_change_on_protected_albs_is_a_hazard_with_the_steps(tmp_path, capsys):
    base = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    base["config"]["global-serverless:frontDoor"] = "cloudfront"
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(base))
    assert main(["--stack", "prod", "--base", str(path)]) == 1
    out = capsys.readouterr().out
    hazards = out[out.index("hazards:") :]
    assert hazards.count("has deletion protection on") == 3 and "modify-load-balancer-attributes" in hazards


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--stack", "prod", "--config", "aws:region=eu-west-1"], "home region us-east-1"),
        (["--stack", "prod", "--config", "backend=lambda"], "unknown backend"),
        (["--stack", "nope"], "no stack file Pulumi.nope.yaml"),
        (["--stack", "prod", "--base", "/nonexistent.yaml"], "no such file"),
    ],
)
def test_bad_input_exits_2_with_the_reason(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_module_entry_point_exit_code():
    done = subprocess.run(
        [sys.executable, "-m", "offline.diff", "--stack", "dev", "--config", "backend=alb"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "update   aws:route53/record:Record::api-us-east-1-regional  (aliases)" in done.stdout


def test_the_albs_guess_is_gone_the_state_export_says_how_they_were_made(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--stack", "prod", "--albs", "internet-facing"])
    assert exited.value.code == 2 and "unrecognized arguments: --albs" in capsys.readouterr().err


def test_a_region_the_account_must_opt_into_is_a_hazard(capsys):
    assert main(["--stack", "dev", "--config", 'regions=["us-east-1", "eu-west-1", "me-south-1"]']) == 1
    hazards = capsys.readouterr().out.split("hazards:")[1]
    assert "me-south-1" in hazards and "enable-region" in hazards
