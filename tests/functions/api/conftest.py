"""moto-backed fixtures: the table (built from contract.py), the chaos parameter, and an `api`
client that runs events of any shape through the real handler.

moto and the boto3 clients live for a test module (making a client costs more than a test);
every test still gets a fresh table, chaos parameter and function runtime.
"""

from __future__ import annotations

import contextlib
import json

import boto3
import pytest
from moto import mock_aws

from functions.api import contract, runtime
from tests.support.api_client import Api
from tests.support.api_events import REGION, SHAPES
from tests.support.clock import FakeClock

TABLE_NAME = "global-serverless-items"
CHAOS_PARAMETER = "/global-serverless/eu-west-1/chaos"

FUNCTION_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    contract.ENV_REGION: REGION,
    contract.ENV_TABLE_NAME: TABLE_NAME,
    contract.ENV_CHAOS_PARAMETER: CHAOS_PARAMETER,
}
UNSET = ("AWS_ENDPOINT_URL", "AWS_PROFILE", contract.ENV_HEALTH_PATH)


def _apply_environment(patch: pytest.MonkeyPatch) -> None:
    for name, value in FUNCTION_ENVIRONMENT.items():
        patch.setenv(name, value)
    for name in UNSET:
        patch.delenv(name, raising=False)


class FakeRandom:
    """Returns `value` for every draw; tests set it to land inside or outside an error rate."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self) -> float:
        return self.value


class Aws:
    """The moto account the function talks to, with the operations tests need."""

    def __init__(self) -> None:
        self.dynamodb = boto3.client("dynamodb", region_name=REGION)
        self.ssm = boto3.client("ssm", region_name=REGION)

    def create_table(self) -> None:
        self.dynamodb.create_table(
            TableName=TABLE_NAME,
            AttributeDefinitions=[
                {"AttributeName": contract.TABLE_HASH_KEY, "AttributeType": contract.TABLE_HASH_KEY_TYPE}
            ],
            KeySchema=[{"AttributeName": contract.TABLE_HASH_KEY, "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )

    def delete_table(self) -> None:
        with contextlib.suppress(self.dynamodb.exceptions.ResourceNotFoundException):
            self.dynamodb.delete_table(TableName=TABLE_NAME)

    def stored(self, item_id: str) -> dict | None:
        key = {contract.TABLE_HASH_KEY: {contract.TABLE_HASH_KEY_TYPE: item_id}}
        return self.dynamodb.get_item(TableName=TABLE_NAME, Key=key).get("Item")

    def set_chaos(self, value: str | dict) -> None:
        text = value if isinstance(value, str) else json.dumps(value)
        self.ssm.put_parameter(Name=CHAOS_PARAMETER, Value=text, Type="String", Overwrite=True)

    def delete_chaos(self) -> None:
        self.ssm.delete_parameter(Name=CHAOS_PARAMETER)


@pytest.fixture(scope="module")
def moto_account():
    with pytest.MonkeyPatch.context() as patch:
        _apply_environment(patch)
        with mock_aws():
            yield Aws()


@pytest.fixture
def environment(monkeypatch):
    _apply_environment(monkeypatch)
    runtime.reset_runtime()
    yield
    runtime.reset_runtime()


@pytest.fixture
def aws(environment, moto_account):
    moto_account.delete_table()
    moto_account.create_table()
    moto_account.set_chaos(contract.CHAOS_NONE)
    return moto_account


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def random_draw():
    return FakeRandom()


@pytest.fixture
def installed_runtime(aws, clock, sleeps, random_draw):
    """The function's runtime with a fake clock, recorded sleeps and a fixed random draw."""
    built = runtime.build_runtime(
        clock=clock, sleep=sleeps.append, random=random_draw, dynamodb_client=aws.dynamodb, ssm_client=aws.ssm
    )
    runtime.use_runtime(built)
    return built


@pytest.fixture(params=SHAPES)
def api(request, installed_runtime):
    return Api(request.param)
