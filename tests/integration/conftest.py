"""Session fixtures: one ministack for the whole integration run, and the API deployed in two regions."""

import pytest

from tests.integration import deploy
from tests.integration.ministack import Ministack, MinistackUnavailable
from tests.integration.topology import CHAOS_PARAMETER, REGION_A, REGION_B, TABLE_NAME, Region


@pytest.fixture(scope="session")
def ministack():
    ms = _started_ministack()
    try:
        yield ms
    finally:
        ms.stop()


def _started_ministack() -> Ministack:
    try:
        ms = Ministack()
        ms.start()
        return ms
    except MinistackUnavailable as error:
        message = str(error)
    # Never a skip: CI must run these tests, so a missing virtualenv is a failure.
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def regions(ministack) -> dict[str, Region]:
    deploy.create_global_table(ministack, TABLE_NAME, REGION_A, replica_regions=(REGION_B,))
    environment = deploy.function_environment(TABLE_NAME, CHAOS_PARAMETER)
    deployed = {}
    for code in (REGION_A, REGION_B):
        deploy.put_chaos(ministack, code, CHAOS_PARAMETER)
        deployed[code] = Region(code, deploy.deploy_api_behind_alb(ministack, code, f"gs-api-{code}", environment))
    return deployed
