"""A local CodeDeploy for Lambda deployments, in every region, that moves aliases in moto's Lambda.

moto 5.2 stores CodeDeploy deployments but never runs one (a deployment stays `Created` and moves no
alias) and has no GetDeploymentConfig, so ops.release's tests use this stand-in instead. It answers the
calls ops.release makes, in boto3's shapes, with botocore ClientErrors for CodeDeploy's error codes:
GetDeploymentGroup, GetDeploymentConfig, ListDeployments, CreateDeployment, GetDeployment.

A deployment shifts traffic for as long as its deployment config says (canary: the interval; linear: every
step), on the injected clock; while it runs the alias carries the canary's weight on the target version
(RoutingConfig), as CodeDeploy leaves it. Then, by the region's scripted outcome:
- "succeed" (default): the alias points at the target version, status Succeeded;
- "alarm": the region's first rollback alarm goes to ALARM in moto's CloudWatch, CodeDeploy stops the
  deployment and rolls back (status Stopped, errorInformation ALARM_ACTIVE, rollbackInfo): the alias
  stays on the current version;
- "fail": status Failed with rollbackInfo (a failed deployment rolled back), the alias unchanged;
- "hang": never finishes.
`deny(region, api, code)` makes one region's API call answer an error (AccessDeniedException, ...).
`calls` records every call as (region, api, kwargs), in order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

# CodeDeploy's statuses of a deployment that has not finished (ListDeployments includeOnlyStatuses).
ACTIVE = ("Created", "Queued", "InProgress", "Baking", "Ready")
CANARY_5 = "CodeDeployDefault.LambdaCanary10Percent5Minutes"


def client_error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def predefined_routing(name: str) -> dict[str, Any] | None:
    """GetDeploymentConfig's trafficRoutingConfig for CodeDeploy's predefined Lambda configs."""
    found = re.fullmatch(
        r"CodeDeployDefault\.Lambda(?:Canary(\d+)Percent(\d+)Minutes?|Linear(\d+)PercentEvery(\d+)Minutes?|(AllAtOnce))",
        name,
    )
    if not found:
        return None
    if found[1]:
        return {
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": int(found[1]), "canaryInterval": int(found[2])},
        }
    if found[3]:
        return {
            "type": "TimeBasedLinear",
            "timeBasedLinear": {"linearPercentage": int(found[3]), "linearInterval": int(found[4])},
        }
    return {"type": "AllAtOnce"}


def shift_seconds(routing: dict[str, Any]) -> float:
    if routing["type"] == "TimeBasedCanary":
        return routing["timeBasedCanary"]["canaryInterval"] * 60.0
    if routing["type"] == "TimeBasedLinear":
        linear = routing["timeBasedLinear"]
        return -(-100 // linear["linearPercentage"]) * linear["linearInterval"] * 60.0
    return 0.0


@dataclass
class Group:
    application: str
    name: str
    config: str
    alarms: tuple[str, ...]


@dataclass
class Deployment:
    id: str
    region: str
    application: str
    group: str
    function: str
    current: str
    target: str
    content: str
    created: float
    ends: float
    status: str = "InProgress"
    info: dict[str, Any] = field(default_factory=dict)


class FakeCodeDeploy:
    def __init__(
        self,
        lambda_client: Callable[[str], Any],
        clock: Callable[[], float],
        cloudwatch_client: Callable[[str], Any] | None = None,
    ) -> None:
        self._lambda, self._cloudwatch, self._clock = lambda_client, cloudwatch_client, clock
        self.groups: dict[tuple[str, str, str], Group] = {}
        self.deployments: dict[str, Deployment] = {}
        self.outcomes: dict[str, str] = {}
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.denied: dict[tuple[str, str], str] = {}

    def add_group(self, region: str, application: str, group: str, config: str = CANARY_5, alarms=()) -> None:
        self.groups[(region, application, group)] = Group(application, group, config, tuple(alarms))

    def script(self, region: str, outcome: str) -> None:
        assert outcome in ("succeed", "alarm", "fail", "hang"), outcome
        self.outcomes[region] = outcome

    def deny(self, region: str, api: str, code: str = "AccessDeniedException") -> None:
        self.denied[(region, api)] = code

    def client(self, region: str) -> FakeCodeDeployClient:
        return FakeCodeDeployClient(self, region)

    def created(self, region: str | None = None) -> list[str]:
        """The regions CreateDeployment was called for (successfully or not), in order."""
        return [r for r, api, _ in self.calls if api == "CreateDeployment" and region in (None, r)]

    # The service's behaviour

    def _group(self, region: str, application: str, group: str, operation: str) -> Group:
        if not any(key[:2] == (region, application) for key in self.groups):
            raise client_error(
                "ApplicationDoesNotExistException", f"No application found for name: {application}", operation
            )
        found = self.groups.get((region, application, group))
        if found is None:
            raise client_error(
                "DeploymentGroupDoesNotExistException", f"No Deployment Group found for name: {group}", operation
            )
        return found

    def _routing(self, name: str) -> dict[str, Any]:
        routing = predefined_routing(name)
        if routing is None:
            raise client_error(
                "DeploymentConfigDoesNotExistException",
                f"No deployment configuration found for name: {name}",
                "GetDeploymentConfig",
            )
        return routing

    def _advance(self, deployment: Deployment) -> None:
        if deployment.status != "InProgress":
            return
        outcome = self.outcomes.get(deployment.region, "succeed")
        if outcome == "hang" or self._clock() < deployment.ends:
            return
        alias = self._lambda(deployment.region)
        if outcome == "succeed":
            alias.update_alias(
                FunctionName=deployment.function,
                Name="live",
                FunctionVersion=deployment.target,
                RoutingConfig={"AdditionalVersionWeights": {}},
            )
            deployment.status = "Succeeded"
            return
        alias.update_alias(
            FunctionName=deployment.function,
            Name="live",
            FunctionVersion=deployment.current,
            RoutingConfig={"AdditionalVersionWeights": {}},
        )
        rollback = f"d-ROLLBACK{len(self.deployments):04d}"
        deployment.info["rollbackInfo"] = {
            "rollbackDeploymentId": rollback,
            "rollbackMessage": f"Deployment {deployment.id} was rolled back by {rollback}",
        }
        if outcome == "alarm":
            group = self.groups[(deployment.region, deployment.application, deployment.group)]
            if self._cloudwatch is not None and group.alarms:
                self._cloudwatch(deployment.region).set_alarm_state(
                    AlarmName=group.alarms[0], StateValue="ALARM", StateReason="errors after the canary shift"
                )
            deployment.status = "Stopped"
            deployment.info["errorInformation"] = {
                "code": "ALARM_ACTIVE",
                "message": "One or more alarms have been activated according to the Amazon CloudWatch metrics you "
                f"selected, and the affected deployments have been stopped. Activated alarms: <{group.alarms[0] if group.alarms else '?'}>",
            }
        else:
            deployment.status = "Failed"
            deployment.info["errorInformation"] = {
                "code": "HOOK_EXECUTION_FAILURE",
                "message": "The deployment failed because of a lifecycle hook",
            }

    def _active(self, region: str, application: str, group: str) -> list[Deployment]:
        found = []
        for deployment in self.deployments.values():
            self._advance(deployment)
            if (deployment.region, deployment.application, deployment.group) == (region, application, group):
                if deployment.status in ACTIVE:
                    found.append(deployment)
        return found


class FakeCodeDeployClient:
    """boto3's codedeploy client for one region, as far as ops.release uses it."""

    def __init__(self, service: FakeCodeDeploy, region: str) -> None:
        self._service, self.region = service, region

    def _call(self, api: str, kwargs: dict[str, Any]) -> None:
        self._service.calls.append((self.region, api, kwargs))
        code = self._service.denied.get((self.region, api))
        if code:
            raise client_error(code, f"User is not authorized to perform: codedeploy:{api}", api)

    def get_deployment_group(self, *, applicationName: str, deploymentGroupName: str) -> dict[str, Any]:
        self._call(
            "GetDeploymentGroup", {"applicationName": applicationName, "deploymentGroupName": deploymentGroupName}
        )
        group = self._service._group(self.region, applicationName, deploymentGroupName, "GetDeploymentGroup")
        return {
            "deploymentGroupInfo": {
                "applicationName": group.application,
                "deploymentGroupName": group.name,
                "deploymentConfigName": group.config,
                "computePlatform": "Lambda",
                "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
                "alarmConfiguration": {
                    "enabled": bool(group.alarms),
                    "ignorePollAlarmFailure": False,
                    "alarms": [{"name": name} for name in group.alarms],
                },
                "autoRollbackConfiguration": {
                    "enabled": True,
                    "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
                },
            }
        }

    def get_deployment_config(self, *, deploymentConfigName: str) -> dict[str, Any]:
        self._call("GetDeploymentConfig", {"deploymentConfigName": deploymentConfigName})
        routing = self._service._routing(deploymentConfigName)
        return {
            "deploymentConfigInfo": {
                "deploymentConfigName": deploymentConfigName,
                "computePlatform": "Lambda",
                "trafficRoutingConfig": routing,
            }
        }

    def list_deployments(self, **kwargs: Any) -> dict[str, Any]:
        self._call("ListDeployments", kwargs)
        application, group = kwargs["applicationName"], kwargs["deploymentGroupName"]
        self._service._group(self.region, application, group, "ListDeployments")
        statuses = kwargs.get("includeOnlyStatuses") or None
        found = []
        for deployment in self._service.deployments.values():
            self._service._advance(deployment)
            if (deployment.region, deployment.application, deployment.group) != (self.region, application, group):
                continue
            if statuses is None or deployment.status in statuses:
                found.append(deployment.id)
        # Two to a page, so the caller must follow nextToken.
        start = int(kwargs.get("nextToken") or 0)
        page = found[start : start + 2]
        return {"deployments": page, **({"nextToken": str(start + 2)} if start + 2 < len(found) else {})}

    def create_deployment(self, **kwargs: Any) -> dict[str, Any]:
        self._call("CreateDeployment", kwargs)
        service = self._service
        application, group_name = kwargs["applicationName"], kwargs["deploymentGroupName"]
        group = service._group(self.region, application, group_name, "CreateDeployment")
        active = service._active(self.region, application, group_name)
        if active:
            raise client_error(
                "DeploymentAlreadyInProgressException",
                f"The deployment {active[0].id} is already in progress.",
                "CreateDeployment",
            )
        revision = kwargs["revision"]
        assert revision["revisionType"] == "AppSpecContent", revision
        content = revision["appSpecContent"]["content"]
        (resource,) = json.loads(content)["Resources"][0].values()
        properties = resource["Properties"]
        assert resource["Type"] == "AWS::Lambda::Function" and properties["Alias"] == "live", content
        function, current, target = properties["Name"], properties["CurrentVersion"], properties["TargetVersion"]
        alias = service._lambda(self.region).get_alias(FunctionName=function, Name="live")
        if alias["FunctionVersion"] != current:
            raise client_error(
                "InvalidRevisionException",  # CodeDeploy checks CurrentVersion against the alias at the start
                f"The current version {current} does not match the alias's version {alias['FunctionVersion']}",
                "CreateDeployment",
            )
        routing = service._routing(kwargs.get("deploymentConfigName") or group.config)
        now = service._clock()
        deployment = Deployment(
            id=f"d-FAKE{len(service.deployments) + 1:05d}",
            region=self.region,
            application=application,
            group=group_name,
            function=function,
            current=current,
            target=target,
            content=content,
            created=now,
            ends=now + shift_seconds(routing),
        )
        service.deployments[deployment.id] = deployment
        weight = routing.get("timeBasedCanary", routing.get("timeBasedLinear", {}))
        percent = weight.get("canaryPercentage", weight.get("linearPercentage"))
        if percent and shift_seconds(routing) > 0:  # the first shift: part of the traffic on the target
            service._lambda(self.region).update_alias(
                FunctionName=function, Name="live", RoutingConfig={"AdditionalVersionWeights": {target: percent / 100}}
            )
        return {"deploymentId": deployment.id}

    def get_deployment(self, *, deploymentId: str) -> dict[str, Any]:
        self._call("GetDeployment", {"deploymentId": deploymentId})
        deployment = self._service.deployments.get(deploymentId)
        if deployment is None or deployment.region != self.region:
            raise client_error(
                "DeploymentDoesNotExistException", f"Deployment {deploymentId} does not exist", "GetDeployment"
            )
        self._service._advance(deployment)
        return {
            "deploymentInfo": {
                "applicationName": deployment.application,
                "deploymentGroupName": deployment.group,
                "deploymentId": deployment.id,
                "status": deployment.status,
                "computePlatform": "Lambda",
                "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": deployment.content}},
                **deployment.info,
            }
        }
