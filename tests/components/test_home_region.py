"""The home-region check finds the deployed table by the tags the providers put on it: writer and reader joined."""

from __future__ import annotations

import pytest

from components.config import ConfigError
from components.stack import providers
from offline.engine.lifecycle import deployed_tables
from offline.engine.run import run_program
from tests.components.helpers import DOMAIN

REGIONS = ["us-east-1", "eu-west-1"]


def values(home: str) -> dict:
    return {"aws:region": home, "regions": REGIONS, "backend": "apigateway", "frontDoor": "route53", "domain": DOMAIN}


def test_a_deployed_table_is_found_by_its_provider_tags_and_its_home_kept():
    deployed = deployed_tables(run_program("test", values=values("us-east-1")))
    assert all(tags[providers.PROJECT_TAG] and tags[providers.STACK_TAG] for tags in deployed.values())
    with pytest.raises(ConfigError) as caught:
        run_program("test", values=values("eu-west-1"), deployed_tables=deployed)
    assert caught.value.key == "aws:region" and "us-east-1" in caught.value.fix
    # The same home: found, and let through.
    run_program("test", values=values("us-east-1"), deployed_tables=deployed)
