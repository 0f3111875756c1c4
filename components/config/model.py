"""Settings: the stack config as one frozen, validated model, plus what the engine knows (project, stack, home region).

Each field is a `global-serverless:` key (its camelCase alias, generated), with its help on the field (fields.py).
The rules between keys run once every key is valid (rules.py). Components receive narrow parts of it, never
the whole.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic.alias_generators import to_camel

from components.config import rules
from components.config.auth import AuthSettings
from components.config.errors import full_key
from components.config.fields import (
    DOORS_ALLOWED,
    CliBool,
    Concurrency,
    Dial,
    Door,
    Region,
    Weight,
    cli_int_in,
    distinct,
    helped,
    known_backend,
    one_door,
)
from components.config.release import PROVISIONED_ALLOWED, RELEASE_ALLOWED, ReleaseSettings, concurrency_map
from components.config.sections import (
    ALARMS_ALLOWED,
    DOMAIN_ALLOWED,
    HEALTH_ALLOWED,
    PROBES_ALLOWED,
    AlarmsSettings,
    DomainSettings,
    HealthCheckSettings,
    ProbesSettings,
    WafSettings,
)
from components.regional import release_plan
from components.registry import (
    ACCESS_LOG_DAYS_RANGE,
    DEFAULT_ACCESS_LOG_DAYS,
    DEFAULT_BACKEND,
    DEFAULT_FRONT_DOOR,
    MAX_ORIGIN_SECRET_VERSION,
    MAX_WEIGHT,
    PROJECT,
    TRAFFIC_DIAL_RANGE,
    WAF_RATE_LIMIT_RANGE,
    WAF_RATE_WINDOW_SECONDS,
)
from components.security.exposure import plaintext_hop
from components.stack.hostnames import SINGLE_DOOR_WEIGHT, HostnamePlan, plan_hostnames


class Settings(BaseModel):
    """The `global-serverless:*` keys of a stack (aliases are the keys), validated, and the engine's facts."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, validate_by_alias=True)

    regions: Annotated[tuple[Region, ...], AfterValidator(distinct)] = helped(
        allowed="a non-empty list of AWS region codes",
        fix='list every region once in Pulumi.<stack>.yaml, e.g. regions: ["us-east-1", "eu-west-1"]',
        shape="a list of AWS region codes",
        example='["us-east-1", "eu-west-1"]',
        json="always",
        missing="no regions are configured",
        empty="no region would get a backend",
        min_length=1,
    )
    backend: Annotated[str, AfterValidator(known_backend)] = helped(
        DEFAULT_BACKEND, allowed="$backends", fix=f"pulumi config set {full_key('backend')} {DEFAULT_BACKEND}"
    )
    front_door: Annotated[dict[Door, Weight], BeforeValidator(one_door)] = helped(
        factory=lambda: {DEFAULT_FRONT_DOOR: SINGLE_DOOR_WEIGHT},
        allowed=DOORS_ALLOWED,
        fix="set frontDoor: cloudfront, or frontDoor: {globalaccelerator: 50, cloudfront: 50} in Pulumi.<stack>.yaml",
        shape="a map {strategy: weight}",
        example="{globalaccelerator: 50, cloudfront: 50}",
        json="maps",
        empty=f"it names no front door, and would silently deploy the default, {DEFAULT_FRONT_DOOR}",
        refused="is not a front door name or a map {strategy: weight}",
        item="weight",
        item_refused=f"is not a positive integer up to {MAX_WEIGHT}",
        item_fix='give "$item" a weight such as 50, or remove it from the map to stop deploying it',
    )
    domain: Optional[DomainSettings] = helped(
        None,
        allowed=DOMAIN_ALLOWED,
        fix="set domain: {zone: example.com, name: api} in Pulumi.<stack>.yaml",
        shape="a map {zone, name}",
        example="{zone: example.com, name: api}",
        json="always",
    )
    health_check: HealthCheckSettings = helped(
        factory=HealthCheckSettings,
        allowed=HEALTH_ALLOWED,
        fix="set healthCheck: {path: /health, intervalSeconds: 30, failureThreshold: 3}",
        shape="a map {path, intervalSeconds, failureThreshold}",
        example="{path: /health, intervalSeconds: 10}",
        json="always",
        empty="it would silently take every default",
    )
    min_regions: cli_int_in(1, 64) = helped(  # type: ignore[valid-type]
        2,
        allowed="an integer from 1: the fewest regions with a backend the policy pack accepts (min-regions); the "
        "stack states its own floor, so lowering it shows in review beside the regions it drops",
        fix=f"pulumi config set {full_key('minRegions')} 3  (or remove it: 2)",
    )
    deletion_protection: CliBool = helped(
        False, allowed="true or false", fix=f"pulumi config set {full_key('deletionProtection')} true  (or false)"
    )
    traffic_dials: dict[str, Dial] = helped(
        factory=dict,
        allowed=rules.DIALS_ALLOWED,
        fix="set trafficDials: {eu-west-1: 0} to drain eu-west-1",
        shape="a map {region: percent}",
        example="{eu-west-1: 0}",
        json="always",
        empty="it dials nothing",
        item="dial",
        item_refused="is not a whole percent",
        item_fix="set trafficDials.$item to a number from 0 (drain) to 100 (full share)",
    )
    table_consistency: Literal["eventual", "strong"] = helped(
        "eventual",
        allowed='"eventual" (default) or "strong" (DynamoDB MRSC)',
        fix=f"pulumi config set {full_key('tableConsistency')} eventual  (or strong)",
        refused="is an unknown table consistency",
    )
    witness_region: Optional[str] = helped(
        None, allowed="a region code of the regions' MRSC set", fix=f"pulumi config rm {full_key('witnessRegion')}"
    )
    allow_plaintext: CliBool = helped(
        False,
        allowed="true or false (default false: refuse a stack whose traffic would cross the internet unencrypted)",
        fix=f"pulumi config rm {full_key('allowPlaintext')}, and set a domain so every hop is HTTPS",
    )
    origin_secret_version: cli_int_in(1, MAX_ORIGIN_SECRET_VERSION) = helped(  # type: ignore[valid-type]
        1,
        allowed=f"an integer from 1 to {MAX_ORIGIN_SECRET_VERSION}; change it (up, down or a jump: any change is "
        "safe) to rotate CloudFront's origin secret",
        fix=f"pulumi config set {full_key('originSecretVersion')} 2  (one more than the current value)",
    )
    waf: Optional[WafSettings] = helped(
        None,
        allowed=f"a map {{rateLimit: {WAF_RATE_LIMIT_RANGE[0]}-{WAF_RATE_LIMIT_RANGE[1]}}}: requests per client IP "
        f"per {WAF_RATE_WINDOW_SECONDS // 60} minutes before WAF blocks it; logs: true|false (default false) sends "
        "each web ACL's logs to CloudWatch Logs",
        fix="set waf: {rateLimit: 2000} in Pulumi.<stack>.yaml",
        shape="a map {rateLimit, logs}",
        example="{rateLimit: 2000}",
        json="always",
    )
    auth: Optional[AuthSettings] = helped(
        None,
        allowed="a map {issuer: https URL, audience: string, protectReads: true|false (false), scopes: [scope, ...] "
        "([]), jwksUrl: https URL (the ALB backend with a domain needs it unless the issuer is Amazon Cognito)}",
        fix="set auth: {issuer: https://issuer.example, audience: api} in Pulumi.<stack>.yaml",
        shape="a map {issuer, audience, protectReads, scopes}",
        example="{issuer: https://issuer.example, audience: api}",
        json="always",
    )
    alarms: Optional[AlarmsSettings] = helped(
        None,
        allowed=ALARMS_ALLOWED,
        fix="set alarms: {email: ops@example.com} in Pulumi.<stack>.yaml",
        shape="a map {email} or {topicArn}",
        example="{email: ops@example.com}",
        json="always",
    )
    probes: ProbesSettings = helped(
        factory=ProbesSettings,
        allowed=PROBES_ALLOWED,
        fix="set probes: {vantageRegions: [sa-east-1]} in Pulumi.<stack>.yaml",
        shape="a map {vantageRegions}",
        example="{vantageRegions: [sa-east-1]}",
        json="always",
        empty="it adds no vantage region",
    )
    access_log_days: cli_int_in(*ACCESS_LOG_DAYS_RANGE) = helped(  # type: ignore[valid-type]
        DEFAULT_ACCESS_LOG_DAYS,
        allowed=f"an integer from {ACCESS_LOG_DAYS_RANGE[0]} to {ACCESS_LOG_DAYS_RANGE[1]} (default "
        f"{DEFAULT_ACCESS_LOG_DAYS}): days the ALBs' access logs are kept",
        fix=f"pulumi config set {full_key('accessLogDays')} {DEFAULT_ACCESS_LOG_DAYS}",
    )
    release: ReleaseSettings = helped(
        factory=ReleaseSettings,
        allowed=RELEASE_ALLOWED,
        fix="set release: {strategy: canary, waves: [[us-east-1], [eu-west-1]], bakeMinutes: 10} in "
        "Pulumi.<stack>.yaml",
        shape="a map {strategy, waves, bakeMinutes, intervalMinutes}",
        example="{strategy: canary, bakeMinutes: 10}",
        json="always",
    )
    snap_start: CliBool = helped(
        False,
        allowed="true or false (default false): Lambda SnapStart on the API function's published versions",
        fix=f"pulumi config set {full_key('snapStart')} true  (or false)",
    )
    provisioned_concurrency: Annotated[Optional[dict[str, Concurrency]], BeforeValidator(concurrency_map)] = helped(
        None,
        allowed=PROVISIONED_ALLOWED,
        fix=f"pulumi config set {full_key('provisionedConcurrency')} 2, or provisionedConcurrency: {{us-east-1: 5}}",
        shape="a map {region: number}, or a whole number for every region",
        example="{us-east-1: 5}",
        json="maps",
        item="provisioned concurrency",
        item_refused="is not a whole number of at least 1",
        item_fix="set provisionedConcurrency.$item to a whole number such as 2, or remove it",
    )
    # What the engine knows: not keys of the namespace.
    project: str = helped(PROJECT, allowed="the Pulumi project", engine=True)
    stack: str = helped("dev", allowed="the Pulumi stack", engine=True)
    home_region: Optional[str] = helped(None, allowed="one of the configured regions", key="aws:region", engine=True)

    @model_validator(mode="after")
    def _across_keys(self) -> Settings:
        rules.check(self)
        return self

    # -- what the program composes from ----------------------------------------------------------

    @property
    def strategies(self) -> tuple[str, ...]:
        return tuple(dict(self.front_door))

    @property
    def is_ab(self) -> bool:
        return len(self.strategies) > 1

    @property
    def weights(self) -> dict[str, int]:
        """Strategy -> weight of the A/B split (empty for a single front door)."""
        return dict(self.front_door) if self.is_ab else {}

    @property
    def door_weights(self) -> dict[str, int]:
        """Strategy -> weight of its member of the main name's record set (a single door: a set of one)."""
        return self.weights if self.is_ab else {self.strategies[0]: SINGLE_DOOR_WEIGHT}

    @property
    def vantage_regions(self) -> tuple[str, ...]:
        return self.probes.vantage_regions

    @property
    def probe_regions(self) -> tuple[str, ...]:
        """Every region that runs the synthetic probes: the stack's, then the extra vantages."""
        return (*self.regions, *self.vantage_regions)

    @property
    def replica_regions(self) -> tuple[str, ...]:
        return tuple(r for r in self.regions if r != self.home_region)

    @property
    def plaintext_hop(self) -> Optional[str]:
        """The unencrypted internet hop this stack accepted with allowPlaintext, or None."""
        return plaintext_hop(self.backend, self.domain is not None, self.strategies)

    @property
    def hostnames(self) -> Optional[HostnamePlan]:
        """Every hostname the stack answers on, or None without a domain."""
        if self.domain is None:
            return None
        return plan_hostnames(self.domain.fqdn, self.regions, self.door_weights)

    def traffic_dial(self, region: str) -> int:
        return self.traffic_dials.get(region, TRAFFIC_DIAL_RANGE[1])

    @property
    def release_policy(self) -> release_plan.ReleasePolicy:
        """`release` with its defaults: the waves, the bake, CodeDeploy's config (release_plan.release_policy)."""
        r = self.release
        return release_plan.release_policy(self.regions, r.strategy, r.waves, r.bake_minutes, r.interval_minutes)

    def provisioned_concurrency_for(self, region: str) -> Optional[int]:
        """Provisioned concurrency on the region's live alias, or None."""
        table = self.provisioned_concurrency or {}
        return table.get(region, table.get("*"))

    @property
    def opt_in_warnings(self) -> tuple[str, ...]:
        """One note per opt-in region the stack deploys to: the deploy fails there unless the account enabled it."""
        return rules.opt_in_notes(self)

    def warnings(self) -> list[str]:
        """Valid but probably not what was meant: shown by `pulumi up`, never fatal."""
        return rules.notes(self)
