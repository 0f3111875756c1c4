"""release, snapStart, provisionedConcurrency: how new function code reaches the regions, and cold starts.

The rules that need the stack's regions (waves, SnapStart's regions, provisioned concurrency's regions) are at
the end, run by rules.check; the plan the release engineer builds from (default waves, CodeDeploy config names) is the pure
components/regional/release_plan.py.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

from pydantic import BaseModel, Field, model_validator

from components.config.errors import full_key, problem
from components.config.fields import cli_int, cli_int_in, helped, region_problem
from components.config.sections import SECTION
from components.regional import release_plan as plan
from components.stack import regions as region_catalogue

if TYPE_CHECKING:
    from components.config.model import Settings

STRATEGIES = " | ".join(plan.STRATEGIES)
_INTERVALS = "; ".join(f"{s}: {', '.join(map(str, m))}" for s, m in plan.INTERVAL_MINUTES.items())
RELEASE_ALLOWED = (
    f"a map {{strategy: {STRATEGIES} (default {plan.ALL_AT_ONCE}), waves: [[region, ...], ...] (every stack region "
    f"once; default: the first region, then the rest), bakeMinutes: {plan.BAKE_MINUTES_RANGE[0]}-"
    f"{plan.BAKE_MINUTES_RANGE[1]} (default {plan.DEFAULT_BAKE_MINUTES}), intervalMinutes: {_INTERVALS} "
    f"(CodeDeploy's predefined Lambda configs; default "
    + ", ".join(f"{s} {m}" for s, m in plan.DEFAULT_INTERVAL_MINUTES.items())
    + ")}; waves, bakeMinutes and intervalMinutes apply to canary and linear"
)
PROVISIONED_ALLOWED = (
    "a whole number >= 1 for every region, or a map {region: number >= 1} over the stack's regions "
    '("*" for every region not named); on each region\'s live alias'
)


class ReleaseSettings(BaseModel):
    """`release` as validated (defaults left unset where they depend on the regions: see Settings.release_policy)."""

    model_config = SECTION

    strategy: Literal[plan.STRATEGIES] = helped(  # type: ignore[valid-type]
        plan.ALL_AT_ONCE, allowed=STRATEGIES, refused="is not a release strategy"
    )
    waves: Optional[tuple[Annotated[tuple[str, ...], Field(min_length=1)], ...]] = helped(
        None, allowed="a list of waves, each a non-empty list of stack regions, every region once", min_length=1
    )
    bake_minutes: Optional[cli_int_in(*plan.BAKE_MINUTES_RANGE)] = helped(  # type: ignore[valid-type]
        None, allowed=f"a whole number of minutes from {plan.BAKE_MINUTES_RANGE[0]} to {plan.BAKE_MINUTES_RANGE[1]}"
    )
    interval_minutes: Optional[cli_int_in(1)] = helped(  # type: ignore[valid-type]
        None, allowed=f"the minutes of a predefined CodeDeploy config: {_INTERVALS}"
    )

    @model_validator(mode="after")
    def _fits_the_strategy(self) -> ReleaseSettings:
        if self.strategy == plan.ALL_AT_ONCE:
            given = [k for k, v in (("waves", self.waves), ("bakeMinutes", self.bake_minutes),
                                    ("intervalMinutes", self.interval_minutes)) if v is not None]  # fmt: skip
            if given:
                raise problem(
                    f"{', '.join(given)} apply to canary and linear releases: with {plan.ALL_AT_ONCE}, pulumi up "
                    "moves every region's alias at once",
                    RELEASE_ALLOWED,
                    f"set release: {{strategy: canary, ...}} to release wave by wave, or remove {', '.join(given)}",
                )
            return self
        offered = plan.INTERVAL_MINUTES[self.strategy]
        interval = self.interval_minutes  # a local, so the lambda below sees it narrowed
        if interval is not None and interval not in offered:
            nearest = min(offered, key=lambda m: abs(m - interval))
            raise problem(
                f"intervalMinutes {interval} has no predefined CodeDeploy {self.strategy} config",
                f"{self.strategy}: {', '.join(map(str, offered))} minutes (CodeDeploy user guide, Deployment "
                "configurations on an AWS Lambda compute platform)",
                f"set release.intervalMinutes to {nearest}",
            )
        return self

    @property
    def deployment_config(self) -> Optional[str]:
        """CodeDeploy's predefined config of this release (None for all-at-once)."""
        return plan.deployment_config_name(self.strategy, self.interval_minutes)


def concurrency_map(value: Any) -> Any:
    """`provisionedConcurrency: N` is N in every region ({"*": N}); a map passes on, its numbers checked by type."""
    if value is None or isinstance(value, dict):
        return value
    number = cli_int(value)
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise problem(
            f"{json.dumps(value)} is not a whole number of at least 1",
            PROVISIONED_ALLOWED,
            "set provisionedConcurrency: 2 (every region) or provisionedConcurrency: {us-east-1: 5} in "
            "Pulumi.<stack>.yaml, or pulumi config rm global-serverless:provisionedConcurrency",
        )
    return {"*": number}


# -- Rules with the stack's regions (rules.check runs them) --------------------------------------


def release(s: Settings) -> None:
    """Waves name every stack region exactly once."""
    waves = s.release.waves
    if waves is None:
        return
    key, seen = full_key("release"), []
    for wave in waves:
        for code in wave:
            if code not in s.regions:
                wrong = region_problem(code, "wave region")
                raise problem(
                    wrong[0] if wrong else f'"{code}" in release.waves is not one of the stack\'s regions',
                    RELEASE_ALLOWED,
                    f'remove "{code}" from release.waves' + ("" if wrong else f", or add it to {full_key('regions')}"),
                    key=key,
                )
            if code in seen:
                raise problem(
                    f'"{code}" is in release.waves twice: a region is released once',
                    RELEASE_ALLOWED,
                    f'keep "{code}" in one wave only',
                    key=key,
                )
            seen.append(code)
    missing = [r for r in s.regions if r not in seen]
    if missing:
        raise problem(
            f"release.waves leave out {', '.join(missing)}: a region in no wave would never get new code",
            RELEASE_ALLOWED,
            f"add {', '.join(missing)} to a wave, e.g. waves: {json.dumps([*map(list, waves), missing])}",
            key=key,
        )


def cold_start(s: Settings) -> None:
    """SnapStart where Lambda offers it for Python, never with provisioned concurrency; concurrency per stack region."""
    pc_key = full_key("provisionedConcurrency")
    for region in s.provisioned_concurrency or {}:
        if region != "*" and region not in s.regions:
            wrong = region_problem(region, "provisionedConcurrency key")
            raise problem(
                wrong[0] if wrong else f'"{region}" is not one of the stack\'s regions',
                PROVISIONED_ALLOWED,
                f'remove "{region}" from provisionedConcurrency' + ("" if wrong else ", or add it to regions"),
                key=pc_key,
            )
    if not s.snap_start:
        return
    table = region_catalogue.snapstart_table()
    outside = [r for r in s.regions if not region_catalogue.offers_python_snapstart(r)]
    if outside:
        raise problem(
            f"Lambda does not offer SnapStart for Python in {', '.join(outside)} (table of {table['date']}, "
            "components/stack/data/snapstart_python_regions.json)",
            "snapStart: true when every stack region offers it; false (the default) anywhere",
            f"pulumi config set {full_key('snapStart')} false, or deploy to regions that offer it",
            key=full_key("snapStart"),
        )
    if s.provisioned_concurrency:
        raise problem(
            "SnapStart does not support provisioned concurrency (AWS Lambda developer guide, SnapStart: supported "
            "features and limitations)",
            "snapStart: true or provisionedConcurrency, not both",
            f"pulumi config rm {pc_key}  (or pulumi config set {full_key('snapStart')} false)",
            key=full_key("snapStart"),
        )
    if s.release.strategy == plan.ALL_AT_ONCE:
        # A SnapStart version is invokable only once its snapshot is taken: State Pending until then, Active after
        # (AWS Lambda developer guide, "Activating and managing Lambda SnapStart", section "Lambda SnapStart and
        # function states": https://docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html).
        # With all-at-once, pulumi up moves every region's alias onto the version it has just published, snapshot
        # or not; ops.release (canary, linear) waits per region until the version is Active before moving it.
        raise problem(
            f"SnapStart with release.strategy {plan.ALL_AT_ONCE}: pulumi up would move every region's live alias "
            "onto a version whose snapshot may still be in progress (State Pending), where invocations fail",
            "snapStart: true with release.strategy canary or linear (python -m ops.release moves each region's "
            "alias once its version is Active)",
            f"pulumi config set --path {full_key('release')}.strategy canary  (or pulumi config set "
            f"{full_key('snapStart')} false)",
            key=full_key("snapStart"),
        )
