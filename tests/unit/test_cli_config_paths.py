"""`--config` takes the nested keys `pulumi config set --path` writes (`healthCheck.path=/x`,
`trafficDials.eu-west-1=0`), merged into the stack file's map, for every offline tool."""

import pytest

from offline.stack_config import StackConfigError, apply_overrides
from offline.stack_facts import stack_settings

FILE = {
    "global-serverless:healthCheck": {"path": "/health", "intervalSeconds": 30},
    "global-serverless:regions": ["us-east-1", "eu-west-1"],
    "global-serverless:trafficDials": '{"us-east-1": 100}',  # as `pulumi config set key '<json>'` stores it
    "global-serverless:backend": "alb",
}


def test_a_path_key_merges_into_the_stack_files_map():
    config = apply_overrides(FILE, ["healthCheck.path=/x", "healthCheck.intervalSeconds=10"])
    assert config["global-serverless:healthCheck"] == {"path": "/x", "intervalSeconds": 10}
    assert FILE["global-serverless:healthCheck"]["path"] == "/health"  # the file's map is not changed


def test_a_path_key_creates_maps_merges_json_text_and_types_values_as_pulumi_does():
    config = apply_overrides(
        FILE,
        [
            "trafficDials.eu-west-1=0",
            "waf.rateLimit=2000",
            "auth.protectReads=true",
            'domain["zone"]=example.com',
            "global-serverless:alarms.email=ops@example.com",
        ],
    )
    assert config["global-serverless:trafficDials"] == {"us-east-1": 100, "eu-west-1": 0}
    assert config["global-serverless:waf"] == {"rateLimit": 2000}
    assert config["global-serverless:auth"] == {"protectReads": True}
    assert config["global-serverless:domain"] == {"zone": "example.com"}
    assert config["global-serverless:alarms"] == {"email": "ops@example.com"}


def test_a_path_key_sets_and_appends_list_items_and_null_removes():
    config = apply_overrides(FILE, ["regions[1]=ap-southeast-1", "regions[2]=eu-west-1", "healthCheck.path=null"])
    assert config["global-serverless:regions"] == ["us-east-1", "ap-southeast-1", "eu-west-1"]
    assert config["global-serverless:healthCheck"] == {"intervalSeconds": 30}


@pytest.mark.parametrize(
    "override, message",
    [
        ("backend.scheme=internal", "global-serverless:backend is a string, not a map"),
        ("regions[7]=us-west-2", "regions[7]: the list has 2 items"),
        ("regions.x=1", "regions is a list"),
        ("healthCheck.=1", "healthCheck.: not a config path"),
        ("healthCheck[x=1", "healthCheck[x: not a config path"),
    ],
)
def test_a_bad_path_key_is_a_config_error(override, message):
    with pytest.raises(StackConfigError, match=None) as raised:
        apply_overrides(FILE, [override])
    assert message in str(raised.value)


def test_path_keys_reach_the_programs_settings():
    settings = stack_settings("prod", ["trafficDials.eu-west-1=0", "healthCheck.path=/status"])
    assert dict(settings.traffic_dials) == {"eu-west-1": 0}
    assert settings.health_check.path == "/status"
    assert settings.health_check.interval_seconds == stack_settings("prod").health_check.interval_seconds
