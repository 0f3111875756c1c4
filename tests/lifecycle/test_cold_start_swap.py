"""SnapStart and provisioned concurrency swapped in one update: offline.diff names the hazard, both directions.

Lambda refuses SnapStart together with provisioned concurrency (Lambda developer guide, "Improving startup
performance with Lambda SnapStart", supported features and limitations:
https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html). In one `pulumi up`:
- provisioned concurrency -> SnapStart: Pulumi deletes the ProvisionedConcurrencyConfig only at the end of the
  update, after the function has published a SnapStart version and the alias has moved onto it;
- SnapStart -> provisioned concurrency: the new config is created on an alias still on a SnapStart version
  (always so with canary or linear: CodeDeploy owns the alias and pulumi up never moves it).
Both are two updates; each one alone is accepted.
"""

import pytest

from tests.support.transitions import config, plan_between

REGIONS = ["us-east-1", "eu-west-1"]
BASE = config("route53", backend="apigateway", regions=REGIONS)
CANARY = {"strategy": "canary"}
PROVISIONED = {**BASE, "provisionedConcurrency": 2}
PROVISIONED_CANARY = {**PROVISIONED, "release": CANARY}
SNAPSTART = {**BASE, "snapStart": True, "release": CANARY}
NEITHER_CANARY = {**BASE, "release": CANARY}


def cold_start_hazards(before: dict, after: dict) -> list[str]:
    plan, _, _ = plan_between(before, after)
    return [h for h in plan.hazards if "SnapStart" in h]


@pytest.mark.parametrize("before", [PROVISIONED, PROVISIONED_CANARY])
def test_provisioned_concurrency_to_snapstart_in_one_update_is_a_hazard(before):
    found = cold_start_hazards(before, SNAPSTART)
    assert len(found) == len(REGIONS), found
    for region in REGIONS:
        (hazard,) = [h for h in found if f"api-{region}-fn" in h]
        assert f"api-{region}-fn" in hazard and f"api-{region}-provisioned" in hazard
        assert "SnapStart turns on while its live alias has provisioned concurrency" in hazard
        assert "Pulumi deletes the ProvisionedConcurrencyConfig only at the end of the update" in hazard
        assert "Lambda refuses SnapStart together with provisioned concurrency" in hazard
        assert (
            "Do it in two updates: remove provisionedConcurrency, pulumi up; then set snapStart: true, pulumi up"
            in hazard
        )


@pytest.mark.parametrize("after", [PROVISIONED, PROVISIONED_CANARY])
def test_snapstart_to_provisioned_concurrency_in_one_update_is_a_hazard(after):
    found = cold_start_hazards(SNAPSTART, after)
    assert len(found) == len(REGIONS), found
    for hazard in found:
        assert "provisioned concurrency comes on its live alias" in hazard and "old state has SnapStart" in hazard
        assert "always so when CodeDeploy owns the alias, release canary or linear" in hazard
        assert "Do it in two updates: set snapStart: false, pulumi up" in hazard
        assert "python -m ops.release --stack <stack> moves each region's alias to the version published " in hazard
        assert "then set provisionedConcurrency, pulumi up" in hazard


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (PROVISIONED_CANARY, NEITHER_CANARY),  # first update: provisioned concurrency off
        (NEITHER_CANARY, SNAPSTART),  # second: SnapStart on
        (SNAPSTART, NEITHER_CANARY),  # the way back, first update: SnapStart off
        (NEITHER_CANARY, PROVISIONED_CANARY),  # then provisioned concurrency (after ops.release moved the alias)
    ],
)
def test_the_two_updates_each_alone_are_accepted(before, after):
    assert cold_start_hazards(before, after) == []


def test_offline_diff_names_the_hazard_and_exits_1(tmp_path, capsys):
    """What people run before pulumi up: the dev stack deployed with provisioned concurrency, changed to SnapStart."""
    import yaml

    from offline.diff import main
    from offline.stack_config import ROOT

    base = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    base["config"]["global-serverless:provisionedConcurrency"] = 2
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(base))
    change = ["--config", "snapStart=true", "--config", 'release={"strategy": "canary"}']
    assert main(["--stack", "dev", "--base", str(path), *change]) == 1
    out = capsys.readouterr().out
    assert "SnapStart turns on while its live alias has provisioned concurrency" in out
    assert "remove provisionedConcurrency, pulumi up; then set snapStart: true, pulumi up" in out
