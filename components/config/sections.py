"""The map-valued keys: healthCheck, domain, waf, alarms, probes (auth and release have modules of their own)."""

from __future__ import annotations

import json
import posixpath
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from components.config.errors import problem
from components.config.fields import CliBool, cli_int_in, helped, region_problem
from components.registry import DOORS, HEALTH_INTERVALS, HEALTH_THRESHOLD_RANGE, WAF_RATE_LIMIT_RANGE
from components.stack import regions as region_catalogue
from functions.api import contract as api_contract

# Every section: frozen, unknown fields refused, camelCase keys generated from the field names.
SECTION = ConfigDict(
    frozen=True, extra="forbid", alias_generator=to_camel, validate_by_alias=True, validate_by_name=True
)

API_ROUTES_PREFIX = api_contract.ITEMS_PATH  # the API's item routes (functions/api/routes.py)
DEFAULT_HEALTH_PATH = api_contract.DEFAULT_HEALTH_PATH
_HEALTH_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")
_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# ACM takes at most 64 characters in a certificate's first domain name (the main name here);
# a DNS name is at most 253, and the longest name planned is <door>.<main> or <region>.<main>.
ACM_DOMAIN_NAME_LIMIT = 64
DNS_NAME_LIMIT = 253

HEALTH_ALLOWED = (
    f"a map {{path: {DEFAULT_HEALTH_PATH}, intervalSeconds: {' or '.join(map(str, HEALTH_INTERVALS))}, "
    f"failureThreshold: {HEALTH_THRESHOLD_RANGE[0]}-{HEALTH_THRESHOLD_RANGE[1]}}}"
)
DOMAIN_ALLOWED = "a map {zone: <public hosted zone name>, name: <label>}, e.g. {zone: example.com, name: api}"
ALARMS_ALLOWED = (
    "a map {email: address} (the stack's topics, one per region, subscribe it) or {topicArn: arn} (existing "
    "topics; put {region} in the ARN for a stack in several regions: alarms notify topics in their own region)"
)
ALARMS_FIX = "set alarms: {email: ops@example.com} in Pulumi.<stack>.yaml"
PROBES_ALLOWED = "a map {vantageRegions: [region, ...]}: regions besides the stack's own that probe every door"


class HealthCheckSettings(BaseModel):
    """One health check for every door: the path, how often Route 53 checks, after how many failures."""

    model_config = SECTION

    path: str = helped(
        DEFAULT_HEALTH_PATH,
        allowed=f"the API's health route, an absolute path outside {API_ROUTES_PREFIX}: {DEFAULT_HEALTH_PATH}",
    )
    interval_seconds: Literal[HEALTH_INTERVALS] = helped(  # type: ignore[valid-type]
        30, allowed="30 (standard) or 10 (fast, paid)", refused="is not one Route 53 supports"
    )
    failure_threshold: Annotated[int, Field(strict=True)] = helped(
        3,
        allowed=f"a whole number from {HEALTH_THRESHOLD_RANGE[0]} to {HEALTH_THRESHOLD_RANGE[1]} (3 is the AWS default)",
        ge=HEALTH_THRESHOLD_RANGE[0],
        le=HEALTH_THRESHOLD_RANGE[1],
    )

    @field_validator("path")
    @classmethod
    def _path(cls, path: str) -> str:
        if not _HEALTH_PATH.match(path) or len(path) > 255:
            raise problem(
                f"path {json.dumps(path)} is not an absolute URL path",
                HEALTH_ALLOWED,
                f"set healthCheck.path to the API's health route, {DEFAULT_HEALTH_PATH}",
            )
        normal = "/" + posixpath.normpath(path).lstrip("/")
        if normal != path:
            raise problem(
                f"path {json.dumps(path)} is not normalised: load balancers, checkers and the function "
                "would not agree on it",
                HEALTH_ALLOWED,
                f"set healthCheck.path to {json.dumps(normal)}",
            )
        if path == API_ROUTES_PREFIX or path.startswith(API_ROUTES_PREFIX + "/"):
            raise problem(
                f"path {json.dumps(path)} is under the API's own {API_ROUTES_PREFIX} routes: the function "
                "refuses it at every cold start, in every region",
                HEALTH_ALLOWED,
                f"set healthCheck.path to a path outside {API_ROUTES_PREFIX}, such as {DEFAULT_HEALTH_PATH}",
            )
        return path

    @property
    def detection_seconds(self) -> int:
        """Roughly how long a dead region keeps getting traffic before checkers call it down."""
        return self.interval_seconds * self.failure_threshold


class DomainSettings(BaseModel):
    """The custom domain: the API answers on name.zone, in a public Route 53 hosted zone."""

    model_config = SECTION

    zone: str
    name: str

    @field_validator("zone", mode="before")
    @classmethod
    def _zone(cls, zone: Any) -> str:
        text = zone.strip(".") if isinstance(zone, str) else ""
        if not text or "." not in text or not all(_DNS_LABEL.match(p) for p in text.split(".")):
            raise problem(
                f"zone {json.dumps(zone)} is not a DNS zone name",
                DOMAIN_ALLOWED,
                "set domain.zone to the name of a public Route 53 hosted zone you own, e.g. example.com",
            )
        return text

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, name: Any) -> str:
        if not isinstance(name, str) or not all(_DNS_LABEL.match(p) for p in name.split(".")):
            raise problem(
                f"name {json.dumps(name)} is not a DNS label",
                DOMAIN_ALLOWED,
                "set domain.name to a lowercase label such as api (the API answers on name.zone)",
            )
        return name

    @model_validator(mode="after")
    def _lengths(self) -> DomainSettings:
        if len(self.fqdn) > ACM_DOMAIN_NAME_LIMIT:
            raise problem(
                f"{self.fqdn} has {len(self.fqdn)} characters; ACM takes at most {ACM_DOMAIN_NAME_LIMIT} "
                "in a certificate's domain name",
                DOMAIN_ALLOWED,
                "use a shorter domain.name (or zone)",
            )
        longest = max((*DOORS, *region_catalogue.catalogue()), key=len)
        if len(f"{longest}.{self.fqdn}") > DNS_NAME_LIMIT:
            raise problem(
                f"{longest}.{self.fqdn} would exceed the {DNS_NAME_LIMIT}-character DNS name limit",
                DOMAIN_ALLOWED,
                "use a shorter domain.name (or zone)",
            )
        return self

    @property
    def fqdn(self) -> str:
        return f"{self.name}.{self.zone}"

    @property
    def wildcard(self) -> str:
        return f"*.{self.fqdn}"


class WafSettings(BaseModel):
    """WAFv2 web ACLs: a rate rule per client IP, and optionally their logs."""

    model_config = SECTION

    rate_limit: cli_int_in(*WAF_RATE_LIMIT_RANGE) = helped(  # type: ignore[valid-type]
        allowed=f"requests per client IP per 5 minutes, {WAF_RATE_LIMIT_RANGE[0]}-{WAF_RATE_LIMIT_RANGE[1]}"
    )
    # Each web ACL's logs to a CloudWatch Logs group (aws-waf-logs-..., kept LOG_RETENTION_DAYS) in its region.
    logs: CliBool = helped(False, allowed="true or false")


class AlarmsSettings(BaseModel):
    """Where alarms go: subscribe an address to the stack's topics, or use existing ones."""

    model_config = SECTION

    email: str | None = None
    topic_arn: str | None = None

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, email: Any) -> Any:
        if email is not None and not (isinstance(email, str) and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
            raise problem(f"email {json.dumps(email)} is not an email address", ALARMS_ALLOWED, ALARMS_FIX)
        return email

    @field_validator("topic_arn", mode="before")
    @classmethod
    def _topic_arn(cls, arn: Any) -> Any:
        if arn is None:
            return arn
        allowed = (
            f"arn:{region_catalogue.PARTITION}:sns:{{region}}:<12-digit account>:<topic name> (or a region code in "
            "place of {region} for a stack in that one region)"
        )
        parts = arn.split(":") if isinstance(arn, str) else []
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns":
            raise problem(
                f"topicArn {json.dumps(arn)} is not an SNS topic ARN",
                allowed,
                "set alarms: {topicArn: arn:aws:sns:{region}:123456789012:alarms} in Pulumi.<stack>.yaml",
            )
        _, partition, _, region, account, name = parts
        fixed = ":".join(["arn", region_catalogue.PARTITION, "sns", "{region}", account, name])
        if partition != region_catalogue.PARTITION:
            raise problem(
                f"topic {arn} is in the {partition} partition; this stack deploys to the "
                f"{region_catalogue.PARTITION} partition ({region_catalogue.PARTITION_NOTE}), and alarms cannot "
                "notify a topic in another partition",
                allowed,
                "use a topic in this stack's account and partition, e.g. "
                f"alarms: {{topicArn: {fixed}}}, or alarms: {{email: ...}}",
            )
        region_error = None if region == "{region}" else region_problem(region, "region")
        if region_error:
            raise problem(f"topic {arn}: {region_error[0]}", allowed, f"set alarms: {{topicArn: {fixed}}}")
        if not re.fullmatch(r"[0-9]{12}", account) or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", name):
            raise problem(
                f"topicArn {json.dumps(arn)} needs a 12-digit account and a topic name of letters, digits, - and _",
                allowed,
                "copy the ARN from the SNS console (put {region} in place of the region)",
            )
        return arn

    @model_validator(mode="after")
    def _one(self) -> AlarmsSettings:
        if (self.email is None) == (self.topic_arn is None):
            raise problem("set exactly one of email and topicArn", ALARMS_ALLOWED, ALARMS_FIX)
        return self


class ProbesSettings(BaseModel):
    """Extra regions the synthetic probes run in (every stack region probes anyway)."""

    model_config = SECTION

    vantage_regions: tuple[Any, ...] = helped((), allowed="a list of region codes, e.g. [sa-east-1]")

    @field_validator("vantage_regions", mode="after")
    @classmethod
    def _known(cls, regions: tuple[str, ...]) -> tuple[str, ...]:
        for code in regions:
            wrong = region_problem(code, "vantage region")
            if wrong:
                raise problem(wrong[0], PROBES_ALLOWED, f"{wrong[1]} in probes.vantageRegions")
        if len(set(regions)) != len(regions):
            raise problem(
                "a vantage region is listed twice",
                PROBES_ALLOWED,
                "set probes: {vantageRegions: [sa-east-1]} in Pulumi.<stack>.yaml",
            )
        return regions
