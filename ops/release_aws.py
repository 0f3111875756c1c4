"""ops.release's calls to AWS that read: each region's alias and published versions, its deployment group
(config, timeout, rollback alarms); and the one-line account of any AWS error (AwsCallFailed: the region, the
service and API call, AWS's code and message, or what kept the call from reaching AWS).

Every client comes from `clients(service, region)`, so tests hand in moto's and a fake CodeDeploy's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

from components.regional.release_plan import (
    ALIAS_NAME,
    DEPLOYMENT_GROUP_NAME,
    RegionState,
    deployment_timeout_seconds,
    newest_version,
    shift_minutes,
)
from ops.aws_errors import aws_problem

Clients = Callable[[str, str], Any]  # (service, region) -> a boto3 client


class AwsCallFailed(Exception):
    """An AWS call failed: the region, the service and API, and what AWS said."""

    def __init__(self, region: str, service: str, api: str, error: Exception) -> None:
        super().__init__(f"{region}: {service} {api}: {aws_problem(error)}")
        self.region, self.service, self.api, self.error = region, service, api, error


def call(clients: Clients, service: str, region: str, api: str, method: str, **kwargs: Any) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return getattr(clients(service, region), method)(**kwargs)
    except (ClientError, BotoCoreError) as error:
        raise AwsCallFailed(region, service, api, error) from error


def alias_version(clients: Clients, region: str, function: str) -> str:
    answer = call(clients, "lambda", region, "GetAlias", "get_alias", FunctionName=function, Name=ALIAS_NAME)
    return answer["FunctionVersion"]


def read_state(clients: Clients, region: str, function: str) -> RegionState:
    """The region's alias version and newest published version (ListVersionsByFunction, every page)."""
    versions: list[str] = []
    marker: Optional[str] = None
    while True:
        page = call(
            clients,
            "lambda",
            region,
            "ListVersionsByFunction",
            "list_versions_by_function",
            FunctionName=function,
            **({"Marker": marker} if marker else {}),
        )
        versions += [v["Version"] for v in page.get("Versions", [])]
        marker = page.get("NextMarker")
        if not marker:
            break
    return RegionState(region, function, alias_version(clients, region, function), newest_version(versions))


@dataclass(frozen=True)
class Group:
    """What a region's deployment group tells the release: its deployment config, how long a deployment may
    take, and the alarms that roll it back (watched during the bake)."""

    config: str
    timeout_seconds: float
    alarms: tuple[str, ...]


def read_group(clients: Clients, region: str, application: str) -> Group:
    info = call(
        clients,
        "codedeploy",
        region,
        "GetDeploymentGroup",
        "get_deployment_group",
        applicationName=application,
        deploymentGroupName=DEPLOYMENT_GROUP_NAME,
    )["deploymentGroupInfo"]
    name = info.get("deploymentConfigName", "")
    config = call(
        clients, "codedeploy", region, "GetDeploymentConfig", "get_deployment_config", deploymentConfigName=name
    )["deploymentConfigInfo"]
    minutes = shift_minutes(config.get("trafficRoutingConfig"), name)
    alarms = tuple(a["name"] for a in (info.get("alarmConfiguration") or {}).get("alarms", []))
    return Group(name, deployment_timeout_seconds(minutes), alarms)
