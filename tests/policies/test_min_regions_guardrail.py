"""A stack states its own floor of regions (minRegions); the generated pack config carries it to min-regions."""

import json

from offline import check, pack_config

TWO_REGIONS = 'regions=["us-east-1", "eu-west-1"]'


def test_prod_states_three_regions_and_the_pack_config_carries_it():
    document = pack_config.for_stack("prod")
    assert document["min-regions"]["minRegions"] == 3
    assert pack_config.for_stack("dev")["min-regions"]["minRegions"] == 2  # the default


def test_cutting_prod_to_two_regions_is_a_mandatory_violation_naming_the_floor(capsys):
    code = check.main(["--stack", "prod", "--config", TWO_REGIONS, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    violations = [v for v in out["violations"] if v["policy"] == "min-regions"]
    assert violations and violations[0]["level"] == "mandatory"
    assert "at least 3" in violations[0]["message"]


def test_lowering_the_floor_with_the_regions_passes(capsys):
    assert check.main(["--stack", "prod", "--config", TWO_REGIONS, "--config", "minRegions=2", "--json"]) == 0
