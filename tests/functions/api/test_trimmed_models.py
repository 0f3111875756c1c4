"""The function's own botocore models: current, found first, and enough for the chaos read and the origin secrets."""

from __future__ import annotations

from functions.api import contract, runtime
from offline import botocore_models
from tests.support.api_client import Api
from tests.support.api_events import SHAPES


def test_the_shipped_models_match_the_installed_botocore():
    assert botocore_models.stale_models() == [], "run: python -m offline.botocore_models --write"


def test_the_shipped_model_holds_exactly_what_the_role_allows():
    _, model = botocore_models.trimmed_model("ssm", contract.TRIMMED_SERVICE_OPERATIONS["ssm"])
    assert sorted(f"ssm:{name}" for name in model["operations"]) == sorted(contract.FUNCTION_SSM_ACTIONS)


def test_the_chaos_client_is_built_from_the_trimmed_model(environment):
    client = runtime.aws_session().client("ssm", region_name="eu-west-1")
    assert client.meta.service_model.operation_names == ["GetParameter", "GetParametersByPath"]


def test_a_data_path_the_environment_sets_is_still_searched(environment, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    paths = runtime.aws_session()._loader.search_paths
    assert paths.index(str(runtime.MODELS_DIR)) < paths.index(str(tmp_path))


def test_a_region_marked_down_answers_503_through_the_trimmed_client(aws):
    """The runtime as deployed (its own clients): the chaos parameter is read with the trimmed model."""
    aws.set_chaos({"mode": "down"})
    runtime.use_runtime(runtime.build_runtime(dynamodb_client=aws.dynamodb))
    for shape in SHAPES:
        assert Api(shape).get("/health").status == 503
