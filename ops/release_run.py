"""Driving a release: read each region's alias and versions, move the aliases wave by wave through CodeDeploy,
bake, stop at the first region that does not succeed.

Every AWS client comes from `clients(service, region)` and time from `clock`/`sleep`, so tests run it against
moto and tests/support/fake_codedeploy.py with a fake clock. Any AWS error raises AwsCallFailed (ops/release_aws.py)
naming the region, the API call and AWS's error. `say(text)` hears the progress, a line at a time.

Within a wave every region's deployment starts (or, when one is already running in its deployment group, is
attached to), then all are polled until each has finished; a region whose deployment does not succeed stops
the release once its wave has finished, and later waves are left as they are. A region's deployment is created
only once the version it moves to is Active (a SnapStart version is Pending while its snapshot is taken): waited
for, up to VERSION_ACTIVE_SECONDS; a Failed version, or one still Pending then, stops the region with no
deployment. After a wave succeeds its regions' rollback alarms (the deployment group's alarm configuration) are
watched for the bake time; an alarm in ALARM stops the release. The last wave, and a wave where nothing had to move, get one look at the alarms.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from components.regional.release_plan import (
    ACTIVE_DEPLOYMENT_STATUSES,
    ALIAS_NAME,
    DEPLOYMENT_GROUP_NAME,
    FAILED,
    SUCCEEDED,
    RegionStep,
    ReleasePlan,
    appspec_target,
    deployment_outcome,
    deployment_problem,
    deployment_request,
)
from ops.release_aws import AwsCallFailed, Clients, Group, alias_version, call

POLL_SECONDS = 15.0  # between two GetDeployment rounds of a wave
ALARM_POLL_SECONDS = 60.0  # between two looks at a baking wave's alarms
DESCRIBE_ALARMS_NAMES = 100  # DescribeAlarms takes at most 100 AlarmNames
# A version is invokable once its State is Active; a SnapStart version is Pending while Lambda takes its snapshot
# (AWS Lambda developer guide, "Activating and managing Lambda SnapStart", "Lambda SnapStart and function states":
# https://docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html). The same wait as botocore's
# PublishedVersionActive waiter (GetFunctionConfiguration with the version: every 5 s, 312 times), on our clock.
VERSION_POLL_SECONDS = 5.0
VERSION_ACTIVE_SECONDS = 312 * VERSION_POLL_SECONDS

# A region's status in the summary, beside release_plan's outcomes (succeeded, rolled-back, failed, stopped).
PLANNED, SKIPPED, TIMED_OUT, NOT_STARTED = "planned", "skipped", "timed-out", "not-started"


@dataclass
class RegionResult:
    wave: int
    function: str
    from_version: str
    to_version: str
    status: str
    deployment_id: Optional[str] = None
    message: Optional[str] = None


@dataclass
class Outcome:
    regions: dict[str, RegionResult] = field(default_factory=dict)
    alarms: dict[int, Optional[str]] = field(default_factory=dict)  # wave -> the alarm that stopped it
    baked: dict[int, float] = field(default_factory=dict)  # wave -> minutes its alarms were watched
    stopped_region: Optional[str] = None
    stopped_wave: Optional[int] = None
    reason: Optional[str] = None

    @property
    def complete(self) -> bool:
        return self.stopped_region is None


@dataclass
class _Running:
    """One region's deployment being watched."""

    step: RegionStep
    deployment_id: str
    deadline: float
    attached: bool
    restarted: bool = False


class _VersionNotActive(Exception):
    """The target version never became Active (Failed, or still Pending at the bound): no deployment was created."""


class Release:
    def __init__(
        self,
        plan: ReleasePlan,
        groups: Mapping[str, Group],
        *,
        application: str,
        bake_minutes: float,
        clients: Clients,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        say: Callable[[str], None] = lambda text: None,
    ) -> None:
        self.plan, self.groups, self.application, self.bake_minutes = plan, groups, application, bake_minutes
        self.clients, self.clock, self.sleep, self.say = clients, clock, sleep, say
        self.outcome = Outcome()
        self._unwatched: set[str] = set()

    def run(self) -> Outcome:
        waves = self.plan.waves
        for number, wave in enumerate(waves, 1):
            for step in wave:
                status = PLANNED if step.needed else SKIPPED
                self.outcome.regions[step.region] = RegionResult(
                    number, step.function, step.current, step.target, status
                )
        for number, wave in enumerate(waves, 1):
            self.say(f"wave {number}/{len(waves)}: {', '.join(s.region for s in wave)}")
            moved = self._deploy(number, wave)
            if self.outcome.stopped_region is None:
                last = number == len(waves)
                self._bake(number, wave, 0.0 if last or not moved else self.bake_minutes)
            if self.outcome.stopped_region is not None:
                for later in waves[number:]:
                    for step in later:
                        if step.needed:
                            self.outcome.regions[step.region].status = NOT_STARTED
                return self.outcome
        return self.outcome

    # Deploying one wave

    def _deploy(self, number: int, wave: Sequence[RegionStep]) -> bool:
        running: dict[str, _Running] = {}
        for step in wave:
            if not step.needed:
                self.say(f"  {step.region}: {ALIAS_NAME} already on version {step.target}: skipped")
                continue
            try:
                running[step.region] = self._start(step)
            except _VersionNotActive as stop:
                self._not_active(step, str(stop))
        if not running and all(self.outcome.regions[s.region].status != FAILED for s in wave):
            return False
        while running:
            self.sleep(POLL_SECONDS)
            for region in list(running):
                if self._poll(running[region], running):
                    del running[region]
        failed = [s.region for s in wave if self.outcome.regions[s.region].status not in (SUCCEEDED, SKIPPED)]
        if failed:
            first = self.outcome.regions[failed[0]]
            self._stop(failed[0], number, f"{first.status}: {first.message}")
        return True

    def _start(self, step: RegionStep, restarted: bool = False) -> _Running:
        region = step.region
        deadline = self.clock() + self.groups[region].timeout_seconds
        active = self._active(region)
        if not active:
            self._await_active(step)
            request = deployment_request(self.application, step)
            try:
                answer = call(self.clients, "codedeploy", region, "CreateDeployment", "create_deployment", **request)
            except AwsCallFailed as failed:
                code = getattr(failed.error, "response", {}).get("Error", {}).get("Code")
                active = self._active(region) if code == "DeploymentAlreadyInProgressException" else []
                if not active:
                    raise
            else:
                self._record(step, answer["deploymentId"])
                self.say(
                    f"  {region}: deployment {answer['deploymentId']} moves {ALIAS_NAME} {step.current} -> {step.target}"
                )
                return _Running(step, answer["deploymentId"], deadline, attached=False, restarted=restarted)
        deployment_id = active[0]
        info = self._info(region, deployment_id)
        content = ((info.get("revision") or {}).get("appSpecContent") or {}).get("content", "")
        toward = appspec_target(content) or "?"
        self._record(step, deployment_id)
        self.say(f"  {region}: deployment {deployment_id} (to version {toward}) already in progress: attached to it")
        return _Running(step, deployment_id, deadline, attached=True, restarted=restarted)

    def _await_active(self, step: RegionStep) -> None:
        """Wait (bounded, on the injected clock) until the target version's State is Active; raise
        _VersionNotActive when it is Failed or still Pending at the bound. CodeDeploy would otherwise shift
        traffic onto a version Lambda cannot run yet (a SnapStart snapshot still being taken) or at all."""
        region, function, version = step.region, step.function, step.target
        deadline = self.clock() + VERSION_ACTIVE_SECONDS
        waiting = False
        while True:
            answer = call(
                self.clients,
                "lambda",
                region,
                "GetFunctionConfiguration",
                "get_function_configuration",
                FunctionName=function,
                Qualifier=version,
            )
            state = answer.get("State") or "Active"  # versions published before Lambda had states are Active
            if state == "Active":
                if waiting:
                    self.say(f"  {region}: version {version} is Active")
                return
            reason = ": ".join(x for x in (answer.get("StateReasonCode"), answer.get("StateReason")) if x)
            check = (
                f"aws lambda get-function-configuration --function-name {function} --qualifier {version} "
                f"--region {region}"
            )
            if state == "Failed":
                raise _VersionNotActive(
                    f"version {version} of {function} is Failed ({reason or 'no reason given'}): Lambda cannot run "
                    f"it (with SnapStart, taking its snapshot failed: see {check}); fix the function, pulumi up to "
                    "publish a new version, then run the release again"
                )
            if self.clock() >= deadline:
                raise _VersionNotActive(
                    f"version {version} of {function} still {state} after {VERSION_ACTIVE_SECONDS / 60:g} min "
                    f"(with SnapStart, Lambda is still taking its snapshot); run the release again once {check} "
                    "shows State Active"
                )
            if not waiting:
                self.say(f"  {region}: version {version} is {state} (SnapStart snapshot?): waiting until it is Active")
                waiting = True
            self.sleep(VERSION_POLL_SECONDS)

    def _not_active(self, step: RegionStep, message: str) -> None:
        result = self.outcome.regions[step.region]
        result.status, result.message = FAILED, message
        self.say(f"  {step.region}: {message}")

    def _active(self, region: str) -> list[str]:
        found: list[str] = []
        token: Optional[str] = None
        while True:
            page = call(
                self.clients,
                "codedeploy",
                region,
                "ListDeployments",
                "list_deployments",
                applicationName=self.application,
                deploymentGroupName=DEPLOYMENT_GROUP_NAME,
                includeOnlyStatuses=list(ACTIVE_DEPLOYMENT_STATUSES),
                **({"nextToken": token} if token else {}),
            )
            found += page.get("deployments", [])
            token = page.get("nextToken")
            if not token:
                return found

    def _info(self, region: str, deployment_id: str) -> dict[str, Any]:
        answer = call(self.clients, "codedeploy", region, "GetDeployment", "get_deployment", deploymentId=deployment_id)
        return answer["deploymentInfo"]

    def _record(self, step: RegionStep, deployment_id: str) -> None:
        self.outcome.regions[step.region].deployment_id = deployment_id

    def _poll(self, run: _Running, running: dict[str, _Running]) -> bool:
        """Whether the region's deployment has finished (its result recorded; a new one may replace it)."""
        region, result = run.step.region, self.outcome.regions[run.step.region]
        info = self._info(region, run.deployment_id)
        outcome = deployment_outcome(info)
        if outcome is None:
            if self.clock() < run.deadline:
                return False
            result.status = TIMED_OUT
            result.message = (
                f"deployment {run.deployment_id} still {info.get('status')} after "
                f"{self.groups[region].timeout_seconds / 60:g} min (it goes on in AWS: run the release again to attach to it)"
            )
            self.say(f"  {region}: {result.message}")
            return True
        if outcome != SUCCEEDED:
            result.status, result.message = outcome, deployment_problem(info)
            self.say(f"  {region}: deployment {run.deployment_id} {outcome}: {result.message}")
            return True
        now = alias_version(self.clients, region, run.step.function)
        if now == run.step.target:
            result.status = SUCCEEDED
            self.say(f"  {region}: {ALIAS_NAME} now on version {now} (deployment {run.deployment_id} succeeded)")
            return True
        if run.attached and not run.restarted:  # someone else's deployment, to another version: ours now
            self.say(
                f"  {region}: the attached deployment left {ALIAS_NAME} on {now}; deploying {now} -> {run.step.target}"
            )
            try:
                running[region] = self._start(replace(run.step, current=now), restarted=True)
            except _VersionNotActive as stop:
                self._not_active(run.step, str(stop))
                return True
            return False
        result.status = FAILED
        result.message = f"deployment {run.deployment_id} succeeded but {ALIAS_NAME} is on {now}, not {run.step.target}"
        self.say(f"  {region}: {result.message}")
        return True

    # Baking

    def _bake(self, number: int, wave: Sequence[RegionStep], minutes: float) -> None:
        regions = [s.region for s in wave]
        watched = sum(len(self.groups[r].alarms) for r in regions if r in self.groups)
        if minutes > 0:
            self.say(f"  baking {minutes:g} min, watching {watched} alarm(s) in {', '.join(regions)}")
        began = self.clock()
        ends = began + minutes * 60.0
        while True:
            firing = self._firing(regions)
            self.outcome.baked[number] = round((self.clock() - began) / 60.0, 2)
            if firing:
                region, name = firing
                self.outcome.alarms[number] = name
                self._stop(region, number, f"alarm {name} is in ALARM{' during the bake' if minutes > 0 else ''}")
                return
            left = ends - self.clock()
            if left <= 0:
                break
            self.sleep(min(ALARM_POLL_SECONDS, left))
        self.outcome.alarms[number] = None
        self.say(
            f"  wave {number} healthy: {'baked ' + format(minutes, 'g') + ' min, ' if minutes > 0 else ''}no alarm in ALARM"
        )

    def _firing(self, regions: Sequence[str]) -> Optional[tuple[str, str]]:
        for region in regions:
            names = list(self.groups[region].alarms) if region in self.groups else []
            for start in range(0, len(names), DESCRIBE_ALARMS_NAMES):
                chunk = names[start : start + DESCRIBE_ALARMS_NAMES]
                answer = call(
                    self.clients,
                    "cloudwatch",
                    region,
                    "DescribeAlarms",
                    "describe_alarms",
                    AlarmNames=chunk,
                    AlarmTypes=["CompositeAlarm", "MetricAlarm"],
                )
                alarms = [*answer.get("MetricAlarms", []), *answer.get("CompositeAlarms", [])]
                missing = sorted(set(chunk) - {a.get("AlarmName") for a in alarms} - self._unwatched)
                if missing:
                    self._unwatched.update(missing)
                    self.say(f"  {region}: rollback alarm(s) {', '.join(missing)} not found in CloudWatch: not watched")
                for alarm in alarms:
                    if alarm.get("StateValue") == "ALARM":
                        return region, alarm["AlarmName"]
        return None

    def _stop(self, region: str, number: int, reason: str) -> None:
        self.outcome.stopped_region, self.outcome.stopped_wave, self.outcome.reason = region, number, reason
