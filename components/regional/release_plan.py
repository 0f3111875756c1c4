"""Pure names and plans of a release (no pulumi import): what the program creates and ops.release drives.

Every region's API function publishes versions; entries invoke the `live` alias. With the `all-at-once`
strategy `pulumi up` moves the alias itself; otherwise a CodeDeploy deployment group per region (compute
platform Lambda) moves it, wave by wave, when `python -m ops.release` asks.
"""

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

ALIAS_NAME = "live"
# CodeDeploy applications and deployment groups are regional: the same names in every region.
DEPLOYMENT_GROUP_NAME = "live"
# The stack output ops.release reads: {region: function name}.
FUNCTIONS_OUTPUT = "functionNames"


def codedeploy_application_name(project: str, stack: str) -> str:
    """The CodeDeploy application (compute platform Lambda) of the stack's API function, in each region."""
    return f"{project}-{stack}-api"


# ---------------------------------------------------------------------------------------------------------------
# The release plan ops.release follows (pure: no pulumi, no boto3). The stack config's `release` key becomes a
# ReleasePolicy; the regions' alias and newest published version become RegionStates; plan_release orders them
# into waves of RegionSteps. The CodeDeploy request, the AppSpec and the reading of a deployment's outcome are
# here too, so the driver (ops/release_run.py) only calls AWS.
# ---------------------------------------------------------------------------------------------------------------

ALL_AT_ONCE = "all-at-once"
CANARY = "canary"
LINEAR = "linear"
STRATEGIES = (ALL_AT_ONCE, CANARY, LINEAR)

# CodeDeploy's predefined deployment configs on the Lambda compute platform (CodeDeploy user guide, "Deployment
# configurations on an AWS Lambda compute platform"): canary shifts 10 percent, then the rest N minutes later;
# linear shifts 10 percent every N minutes. The minutes each offers, and the stack config's defaults.
INTERVAL_MINUTES = {CANARY: (5, 10, 15, 30), LINEAR: (1, 2, 3, 10)}
DEFAULT_INTERVAL_MINUTES = {CANARY: 5, LINEAR: 1}
DEFAULT_BAKE_MINUTES = 10
BAKE_MINUTES_RANGE = (0, 1440)


def deployment_config_name(strategy: str, interval_minutes: Optional[int] = None) -> Optional[str]:
    """The predefined CodeDeploy config of a canary or linear release (None for all-at-once: no CodeDeploy)."""
    if strategy not in INTERVAL_MINUTES:
        return None
    minutes = DEFAULT_INTERVAL_MINUTES[strategy] if interval_minutes is None else interval_minutes
    if minutes not in INTERVAL_MINUTES[strategy]:
        raise ValueError(f"{strategy} releases take {INTERVAL_MINUTES[strategy]} minutes, not {minutes}")
    if strategy == CANARY:
        return f"CodeDeployDefault.LambdaCanary10Percent{minutes}Minutes"
    return f"CodeDeployDefault.LambdaLinear10PercentEvery{minutes}Minute{'' if minutes == 1 else 's'}"


# Minutes a region's deployment may take beyond its traffic shifting (starting, the final shift, CodeDeploy's
# own alarm polling) before ops.release stops waiting and says so; the deployment itself goes on in AWS.
DEPLOYMENT_MARGIN_MINUTES = 15
# A deployment CodeDeploy has not finished: ops.release attaches to it instead of starting another.
ACTIVE_DEPLOYMENT_STATUSES = ("Created", "Queued", "InProgress", "Baking", "Ready")


class ReleasePlanError(ValueError):
    """The release cannot be planned (a region without a function, a version, or a published alias)."""


@dataclass(frozen=True)
class ReleasePolicy:
    """How new function code reaches the regions: the stack config's `release`, parsed.

    strategy: all-at-once (`pulumi up` moves every alias itself) | canary | linear (ops.release moves them
    through each region's CodeDeploy deployment group). waves: the regions in release order, each wave's
    regions together. bake_minutes: how long a wave's alarms are watched before the next wave starts.
    deployment_config: the CodeDeploy deployment config the groups use, when the config names it."""

    strategy: str = ALL_AT_ONCE
    waves: tuple[tuple[str, ...], ...] = ()
    bake_minutes: float = 0
    deployment_config: Optional[str] = None

    @property
    def moves_aliases(self) -> bool:
        """Whether ops.release moves the aliases (otherwise `pulumi up` does)."""
        return self.strategy != ALL_AT_ONCE


def default_waves(regions: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """The first region alone, then the rest together."""
    regions = tuple(regions)
    return tuple(wave for wave in (regions[:1], regions[1:]) if wave)


def release_policy(
    regions: Sequence[str],
    strategy: str = ALL_AT_ONCE,
    waves: Optional[Sequence[Sequence[str]]] = None,
    bake_minutes: Optional[int] = None,
    interval_minutes: Optional[int] = None,
) -> ReleasePolicy:
    """The stack config's `release` (validated by components.config) with its defaults filled in: the default
    waves, a bake of DEFAULT_BAKE_MINUTES between waves, the strategy's predefined CodeDeploy config. All at
    once: `pulumi up` moves every alias, so one wave and no bake."""
    if strategy == ALL_AT_ONCE:
        return ReleasePolicy(strategy=ALL_AT_ONCE, waves=(tuple(regions),) if regions else ())
    return ReleasePolicy(
        strategy=strategy,
        waves=tuple(tuple(w) for w in waves) if waves is not None else default_waves(regions),
        bake_minutes=DEFAULT_BAKE_MINUTES if bake_minutes is None else bake_minutes,
        deployment_config=deployment_config_name(strategy, interval_minutes),
    )


@dataclass(frozen=True)
class RegionState:
    """What a region runs: its API function, the version its alias points at, its newest published version."""

    region: str
    function: str
    current: str
    newest: Optional[str]


@dataclass(frozen=True)
class RegionStep:
    region: str
    function: str
    current: str
    target: str

    @property
    def needed(self) -> bool:
        return self.current != self.target


@dataclass(frozen=True)
class ReleasePlan:
    waves: tuple[tuple[RegionStep, ...], ...]

    @property
    def steps(self) -> tuple[RegionStep, ...]:
        return tuple(step for wave in self.waves for step in wave)

    @property
    def needed(self) -> bool:
        return any(step.needed for step in self.steps)


def newest_version(versions: Iterable[str]) -> Optional[str]:
    """The newest published version among ListVersionsByFunction's (numbers; $LATEST is not published)."""
    published = [int(v) for v in versions if v.isdigit()]
    return str(max(published)) if published else None


def plan_release(policy: ReleasePolicy, states: Mapping[str, RegionState]) -> ReleasePlan:
    """Every wave's regions with their alias's version and the newest published one (raises ReleasePlanError)."""
    waves = []
    for wave in policy.waves:
        steps = []
        for region in wave:
            state = states.get(region)
            if state is None:
                raise ReleasePlanError(f"{region}: no API function known for this region")
            if state.newest is None:
                raise ReleasePlanError(
                    f"{region}: {state.function} has no published version (run pulumi up: it publishes one)"
                )
            if not state.current.isdigit():
                raise ReleasePlanError(
                    f"{region}: alias {ALIAS_NAME} of {state.function} points at {state.current}, not a published "
                    "version: CodeDeploy moves an alias only between published versions (run pulumi up)"
                )
            target = state.newest if int(state.newest) > int(state.current) else state.current
            steps.append(RegionStep(region, state.function, state.current, target))
        waves.append(tuple(steps))
    return ReleasePlan(tuple(waves))


def appspec_content(step: RegionStep) -> str:
    """The AppSpec of a Lambda deployment (CodeDeploy user guide, AppSpec 'resources' section for Lambda)."""
    properties = {"Name": step.function, "Alias": ALIAS_NAME, "CurrentVersion": step.current}
    properties["TargetVersion"] = step.target
    resource = {step.function: {"Type": "AWS::Lambda::Function", "Properties": properties}}
    return json.dumps({"version": 0.0, "Resources": [resource]}, separators=(",", ":"))


def appspec_target(content: str) -> Optional[str]:
    """The TargetVersion an AppSpec moves its alias to, or None when the text says none."""
    try:
        resources = json.loads(content).get("Resources") or []
        (resource,) = resources[0].values()
        return str(resource["Properties"]["TargetVersion"])
    except (ValueError, AttributeError, LookupError, TypeError):
        return None


def deployment_request(application: str, step: RegionStep) -> dict[str, Any]:
    """CreateDeployment's arguments: move the step's alias through the region's deployment group."""
    content = appspec_content(step)
    return {
        "applicationName": application,
        "deploymentGroupName": DEPLOYMENT_GROUP_NAME,
        "revision": {
            "revisionType": "AppSpecContent",
            "appSpecContent": {"content": content, "sha256": hashlib.sha256(content.encode()).hexdigest()},
        },
        "description": f"ops.release: {step.function} {ALIAS_NAME} {step.current} -> {step.target}",
    }


_PREDEFINED = re.compile(
    r"Lambda(?:Canary(?P<canary_pct>\d+)Percent(?P<canary_min>\d+)Minutes?"
    r"|Linear(?P<linear_pct>\d+)PercentEvery(?P<linear_min>\d+)Minutes?|(?P<all>AllAtOnce))$"
)


def shift_minutes(traffic_routing: Optional[Mapping[str, Any]] = None, config_name: str = "") -> Optional[float]:
    """Minutes a Lambda deployment config takes, at most, to shift all traffic (canary: its interval; linear: one
    interval per increment, counted up to 100 percent), from GetDeploymentConfig's trafficRoutingConfig or else a
    predefined config's name (CodeDeployDefault.LambdaCanary10Percent5Minutes); None when neither says."""
    routing = dict(traffic_routing or {})
    kind = routing.get("type")
    if kind == "TimeBasedCanary":
        return float(routing.get("timeBasedCanary", {}).get("canaryInterval", 0))
    if kind == "TimeBasedLinear":
        linear = routing.get("timeBasedLinear", {})
        percent = int(linear.get("linearPercentage") or 100)
        return float(math.ceil(100 / max(percent, 1)) * linear.get("linearInterval", 0))
    if kind == "AllAtOnce":
        return 0.0
    found = _PREDEFINED.search(config_name or "")
    if not found:
        return None
    if found["canary_min"]:
        return float(found["canary_min"])
    if found["linear_min"]:
        return float(math.ceil(100 / max(int(found["linear_pct"]), 1)) * int(found["linear_min"]))
    return 0.0


def deployment_timeout_seconds(minutes: Optional[float]) -> float:
    """How long ops.release waits for one region's deployment: its shifting time plus a margin (an unknown
    config: an hour)."""
    return ((60.0 if minutes is None else minutes) + DEPLOYMENT_MARGIN_MINUTES) * 60.0


# A deployment's outcome as ops.release reports it (None: CodeDeploy has not finished).
SUCCEEDED, ROLLED_BACK, FAILED, STOPPED = "succeeded", "rolled-back", "failed", "stopped"


def deployment_outcome(info: Mapping[str, Any]) -> Optional[str]:
    """GetDeployment's deploymentInfo -> succeeded | rolled-back | failed | stopped, or None while it runs."""
    status = info.get("status")
    if status == "Succeeded":
        return SUCCEEDED
    if status in ("Failed", "Stopped"):
        rollback = info.get("rollbackInfo") or {}
        if rollback.get("rollbackDeploymentId") or rollback.get("rollbackMessage"):
            return ROLLED_BACK
        return FAILED if status == "Failed" else STOPPED
    return None


def deployment_problem(info: Mapping[str, Any]) -> str:
    """Why a deployment did not succeed, in CodeDeploy's words (errorInformation, rollbackInfo)."""
    error = info.get("errorInformation") or {}
    parts = [f"{error['code']}: {error.get('message', '')}".rstrip(": ")] if error.get("code") else []
    rollback = (info.get("rollbackInfo") or {}).get("rollbackMessage")
    parts += [rollback] if rollback else []
    return "; ".join(parts) or f"status {info.get('status')}"
