"""The stack config contract, validated once by pydantic into one frozen model before any resource exists.

`StackConfig` declares what each key may hold (types, ranges, literals, unknown keys and fields
refused) and the rules between keys; pydantic does the checking. Every error becomes one ConfigError
naming the stack key, the value received, what is allowed and the fix: rules raise them with those
words, and pydantic's own errors are rendered from their location and type (`_render`). `parse_settings`
is pure (tests call it with plain dicts); `load_settings` reads the running stack's config.
"""

from __future__ import annotations

import difflib
import json
import posixpath
import re
import urllib.parse
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from components.registry import (
    ACCESS_LOG_DAYS_RANGE,
    BACKENDS,
    DEFAULT_ACCESS_LOG_DAYS,
    DEFAULT_BACKEND,
    DEFAULT_FRONT_DOOR,
    DOORS,
    HEALTH_INTERVALS,
    HEALTH_THRESHOLD_RANGE,
    HOME_REGION_KEY,
    MAX_ORIGIN_SECRET_VERSION,
    MAX_WEIGHT,
    MRSC_REGION_COUNT,
    MRSC_REGION_SETS,
    NAMESPACE,
    PROJECT,
    TRAFFIC_DIAL_RANGE,
    WAF_RATE_LIMIT_RANGE,
    WAF_RATE_WINDOW_SECONDS,
    mrsc_set_of,
)
from components.security.exposure import plaintext_hop, waf_coverage
from components.stack import regions as region_catalogue
from components.stack.hostnames import SINGLE_DOOR_WEIGHT, HostnamePlan, plan_hostnames

_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_HEALTH_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")
API_ROUTES_PREFIX = "/items"  # the API's item routes (functions/api/routes.py)
# ACM takes at most 64 characters in a certificate's first domain name (the main name here);
# a DNS name is at most 253, and the longest name planned is <door>.<main> or <region>.<main>.
ACM_DOMAIN_NAME_LIMIT = 64
DNS_NAME_LIMIT = 253
_UNSET = object()
_NOT_READ = object()  # a key outside the namespace: its value is not read (it may be a secret)


class ConfigError(ValueError):
    """A stack config value the program cannot deploy, explained for the person who set it."""

    def __init__(self, key: str, value: Any, problem: str, allowed: str, fix: str):
        self.key = key
        self.value = value
        self.problem, self.allowed, self.fix = problem, allowed, fix
        shown = "(not set)" if value is _UNSET else "(value not read)" if value is _NOT_READ else json.dumps(value)
        super().__init__(f"Invalid stack config {key} = {shown}: {problem}\n  Allowed: {allowed}\n  Fix: {fix}")


def _key(name: str) -> str:
    return f"{NAMESPACE}:{name}"


def problem(text: str, allowed: str, fix: str, key: str | None = None) -> PydanticCustomError:
    """A rule's error, in our words; `key` only where pydantic's location would not name it (rules across keys)."""
    return PydanticCustomError(
        "stack_config", "{problem}", {"problem": text, "allowed": allowed, "fix": fix, "key": key}
    )


# ---------------------------------------------------------------------------------------------
# What each key is, and how to tell a person about it (allowed values and the usual fix).

_ALLOWED_HEALTH = (
    f"a map {{path: /health, intervalSeconds: {' or '.join(map(str, HEALTH_INTERVALS))}, "
    f"failureThreshold: {HEALTH_THRESHOLD_RANGE[0]}-{HEALTH_THRESHOLD_RANGE[1]}}}"
)
_HELP: dict[str, tuple[str, str]] = {
    "regions": (
        "a non-empty list of AWS region codes",
        'list every region once in Pulumi.<stack>.yaml, e.g. regions: ["us-east-1", "eu-west-1"]',
    ),
    "backend": (" or ".join(f'"{b}"' for b in BACKENDS), f"pulumi config set {_key('backend')} {DEFAULT_BACKEND}"),
    "frontDoor": (
        f"one of {', '.join(DOORS)}, or a map {{strategy: weight}} for an A/B split",
        "set frontDoor: cloudfront, or frontDoor: {globalaccelerator: 50, cloudfront: 50} in Pulumi.<stack>.yaml",
    ),
    "domain": (
        "a map {zone: <public hosted zone name>, name: <label>}, e.g. {zone: example.com, name: api}",
        "set domain: {zone: example.com, name: api} in Pulumi.<stack>.yaml",
    ),
    "healthCheck": (_ALLOWED_HEALTH, "set healthCheck: {path: /health, intervalSeconds: 30, failureThreshold: 3}"),
    "deletionProtection": ("true or false", f"pulumi config set {_key('deletionProtection')} true  (or false)"),
    "trafficDials": (
        "a map {region: percent 0-100} over configured regions (100 when absent): Global Accelerator dials, "
        "CloudFront's router shares, route53 0 or 100",
        "set trafficDials: {eu-west-1: 0} to drain eu-west-1",
    ),
    "tableConsistency": (
        '"eventual" (default) or "strong" (DynamoDB MRSC)',
        f"pulumi config set {_key('tableConsistency')} eventual  (or strong)",
    ),
    "witnessRegion": ("a region code of the regions' MRSC set", f"pulumi config rm {_key('witnessRegion')}"),
    "allowPlaintext": (
        "true or false (default false: refuse a stack whose traffic would cross the internet unencrypted)",
        f"pulumi config rm {_key('allowPlaintext')}, and set a domain so every hop is HTTPS",
    ),
    "probes": (
        "a map {vantageRegions: [region, ...]}: regions besides the stack's own that probe every door",
        "set probes: {vantageRegions: [sa-east-1]} in Pulumi.<stack>.yaml",
    ),
    "alarms": (
        "a map {email: address} (the stack's topics, one per region, subscribe it) or {topicArn: arn} (existing "
        "topics; put {region} in the ARN for a stack in several regions: alarms notify topics in their own region)",
        "set alarms: {email: ops@example.com} in Pulumi.<stack>.yaml",
    ),
    "auth": (
        "a map {issuer: https URL, audience: string, protectReads: true|false (false), scopes: [scope, ...] ([]), "
        "jwksUrl: https URL (the ALB backend with a domain needs it unless the issuer is Amazon Cognito)}",
        "set auth: {issuer: https://issuer.example, audience: api} in Pulumi.<stack>.yaml",
    ),
    "waf": (
        f"a map {{rateLimit: {WAF_RATE_LIMIT_RANGE[0]}-{WAF_RATE_LIMIT_RANGE[1]}}}: requests per client IP per "
        f"{WAF_RATE_WINDOW_SECONDS // 60} minutes before WAF blocks it; logs: true|false (default false) sends "
        "each web ACL's logs to CloudWatch Logs",
        "set waf: {rateLimit: 2000} in Pulumi.<stack>.yaml",
    ),
    "accessLogDays": (
        f"an integer from {ACCESS_LOG_DAYS_RANGE[0]} to {ACCESS_LOG_DAYS_RANGE[1]} (default {DEFAULT_ACCESS_LOG_DAYS}): "
        "days the ALBs' access logs are kept",
        f"pulumi config set {_key('accessLogDays')} {DEFAULT_ACCESS_LOG_DAYS}",
    ),
    "originSecretVersion": (
        f"an integer from 1 to {MAX_ORIGIN_SECRET_VERSION}; change it (up, down or a jump: any change is safe) to rotate CloudFront's origin secret",
        f"pulumi config set {_key('originSecretVersion')} 2  (one more than the current value)",
    ),
}
_SHAPES = {  # what JSON text a structured key must decode to, and an example of it
    "regions": ("a list of AWS region codes", '["us-east-1", "eu-west-1"]'),
    "frontDoor": ("a map {strategy: weight}", "{globalaccelerator: 50, cloudfront: 50}"),
    "domain": ("a map {zone, name}", "{zone: example.com, name: api}"),
    "healthCheck": ("a map {path, intervalSeconds, failureThreshold}", "{path: /health, intervalSeconds: 10}"),
    "trafficDials": ("a map {region: percent}", "{eu-west-1: 0}"),
    "waf": ("a map {rateLimit, logs}", "{rateLimit: 2000}"),
    "alarms": ("a map {email} or {topicArn}", "{email: ops@example.com}"),
    "probes": ("a map {vantageRegions}", "{vantageRegions: [sa-east-1]}"),
    "auth": ("a map {issuer, audience, protectReads, scopes}", "{issuer: https://issuer.example, audience: api}"),
}


def _decode_json(name: str, value: Any, key: str | None = None) -> Any:
    """Pulumi hands structured config to programs as JSON text; accept it decoded too."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        shape, example = _SHAPES[name]
        raise problem(
            f"not valid JSON for {shape}",
            shape,
            f"pulumi config set --path '{_key(name)}' ... or write it in Pulumi.<stack>.yaml as {example}",
            key=key,
        ) from None


def _json_text(name: str) -> BeforeValidator:
    return BeforeValidator(lambda value: _decode_json(name, value))


def _cli_int(value: Any) -> Any:
    """`pulumi config set key 2` stores the text "2" (or "-1"); anything else is for the strict int to refuse."""
    return int(value) if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+\s*", value) else value


def _cli_bool(value: Any) -> Any:
    """`pulumi config set key true` stores the text "true"; anything else is for StrictBool to refuse."""
    return {"true": True, "false": False}.get(value.lower(), value) if isinstance(value, str) else value


def _region_problem(code: Any, what: str = "") -> Optional[tuple[str, str]]:
    """(problem, fix) for a code that is not a region this stack can deploy to; None for a known code.

    China, GovCloud and the isolated regions are in other partitions: named as such, never "did you mean"."""
    label = f"{what} {json.dumps(code)}".strip()
    partition = region_catalogue.other_partition(code)
    if partition is not None:
        return (
            f"{label} is a region of the {partition} partition. {region_catalogue.PARTITION_NOTE}",
            f'replace {json.dumps(code)} with a region of the {region_catalogue.PARTITION} partition, e.g. "us-east-1"',
        )
    if isinstance(code, str) and region_catalogue.is_known(code):
        return None
    near = region_catalogue.closest_codes(code) if isinstance(code, str) else []
    return (
        f"{label} is not an AWS region code" + (f" (did you mean {', '.join(near)}?)" if near else ""),
        f"replace {json.dumps(code)} with a region code" + (f' such as "{near[0]}"' if near else ""),
    )


_REGION_CODES = "codes from components/stack/data/aws_regions.json, e.g. us-east-1, eu-west-1, ap-southeast-1"


Weight = Annotated[int, Field(strict=True, ge=1, le=MAX_WEIGHT)]
Dial = Annotated[int, Field(strict=True, ge=TRAFFIC_DIAL_RANGE[0], le=TRAFFIC_DIAL_RANGE[1])]


class HealthCheckSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    path: str = "/health"
    interval_seconds: Literal[HEALTH_INTERVALS] = Field(30, alias="intervalSeconds")  # type: ignore[valid-type]
    failure_threshold: Annotated[
        int, Field(strict=True, ge=HEALTH_THRESHOLD_RANGE[0], le=HEALTH_THRESHOLD_RANGE[1], alias="failureThreshold")
    ] = 3

    @field_validator("path")
    @classmethod
    def _path(cls, path: str) -> str:
        allowed, _ = _HELP["healthCheck"]
        if not _HEALTH_PATH.match(path) or len(path) > 255:
            raise problem(
                f"path {json.dumps(path)} is not an absolute URL path",
                allowed,
                "set healthCheck.path to the API's health route, /health",
            )
        normal = "/" + posixpath.normpath(path).lstrip("/")
        if normal != path:
            raise problem(
                f"path {json.dumps(path)} is not normalised: load balancers, checkers and the function "
                "would not agree on it",
                allowed,
                f"set healthCheck.path to {json.dumps(normal)}",
            )
        if path == API_ROUTES_PREFIX or path.startswith(API_ROUTES_PREFIX + "/"):
            raise problem(
                f"path {json.dumps(path)} is under the API's own {API_ROUTES_PREFIX} routes: the function "
                "refuses it at every cold start, in every region",
                allowed,
                "set healthCheck.path to a path outside /items, such as /health",
            )
        return path

    @property
    def detection_seconds(self) -> int:
        """Roughly how long a dead region keeps getting traffic before checkers call it down."""
        return self.interval_seconds * self.failure_threshold


class AuthSettings(BaseModel):
    """JWT bearer tokens on writes (and reads with protectReads): the issuer's https URL and the audience."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    issuer: str
    audience: str
    protect_reads: Annotated[bool, BeforeValidator(_cli_bool), Field(strict=True)] = Field(False, alias="protectReads")
    scopes: tuple[str, ...] = ()
    # The issuer's JSON Web Key Set URL: the ALB's jwt-validation action needs it at deploy time (the
    # function and API Gateway's authorizer find it from the issuer). Default: an Amazon Cognito user
    # pool's documented `<issuer>/.well-known/jwks.json`; any other issuer names it (jwks_uri in
    # <issuer>/.well-known/openid-configuration).
    jwks_url: Optional[str] = Field(None, alias="jwksUrl")

    @field_validator("jwks_url", mode="before")
    @classmethod
    def _jwks_url(cls, url: Any) -> Any:
        if isinstance(url, str) and (_has_space(url) or "@" in urllib.parse.urlsplit(url).netloc):
            raise problem(
                f"jwksUrl {json.dumps(_without_userinfo(url))} has whitespace or user:password@ in it: ELB would "
                "fetch a different URL, and credentials would sit in the stack's config",
                "the jwks_uri of the issuer's OpenID configuration, e.g. https://issuer.example/.well-known/jwks.json",
                f"set auth.jwksUrl to {json.dumps(_without_userinfo(url.strip()))}",
                key=_key("auth"),
            )
        parsed = urllib.parse.urlsplit(url) if isinstance(url, str) else None
        if url is not None and (parsed is None or parsed.scheme != "https" or not parsed.hostname):
            raise problem(
                f"jwksUrl {json.dumps(url)} is not an https URL: keys must come over TLS (ELB takes nothing else)",
                "the jwks_uri of the issuer's OpenID configuration, e.g. https://issuer.example/.well-known/jwks.json",
                "set auth.jwksUrl to the jwks_uri that <issuer>/.well-known/openid-configuration names",
                key=_key("auth"),
            )
        return url

    @property
    def key_set_url(self) -> Optional[str]:
        """jwksUrl, or the documented one of an Amazon Cognito user pool issuer; None when neither."""
        if self.jwks_url is not None:
            return self.jwks_url
        host = urllib.parse.urlsplit(self.issuer).hostname or ""
        if re.fullmatch(r"cognito-idp\.[a-z0-9-]+\.amazonaws\.com", host):
            return f"{self.issuer.rstrip('/')}/.well-known/jwks.json"
        return None

    @field_validator("issuer", mode="before")
    @classmethod
    def _issuer(cls, issuer: Any) -> str:
        """An https origin plus path, exactly as tokens carry it in `iss` (API Gateway, the ALB and the function
        compare it as text): no whitespace, credentials, query, fragment or discovery-document suffix."""
        allowed = (
            "the issuer URL exactly as tokens carry it in `iss`: https://host[/path], no user:password@, query, "
            "fragment or /.well-known/ suffix, e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>"
        )

        def refuse(text: str, fix: str) -> PydanticCustomError:
            return problem(text, allowed, fix, key=_key("auth"))

        if not isinstance(issuer, str):
            raise refuse(
                f"issuer {json.dumps(issuer)} is not text: an https URL is needed",
                "set auth: {issuer: https://..., audience: <client id or API identifier>} in Pulumi.<stack>.yaml",
            )
        if _has_space(issuer):
            raise refuse(
                f"issuer {json.dumps(_without_userinfo(issuer))} has whitespace in it: no token's `iss` would match",
                f"set auth.issuer to {json.dumps(_without_userinfo(issuer.strip()))}",
            )
        try:
            parsed = urllib.parse.urlsplit(issuer)
            parsed.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            parsed = None
        if parsed is None or parsed.scheme != "https" or not parsed.hostname:
            raise refuse(
                f"issuer {json.dumps(_without_userinfo(issuer))} is not an https URL: tokens and keys must come "
                "over TLS (API Gateway's JWT authorizer accepts nothing else)",
                "set auth: {issuer: https://..., audience: <client id or API identifier>} in Pulumi.<stack>.yaml",
            )
        if "@" in parsed.netloc:
            raise refuse(
                "issuer has credentials (user:password@) in it: the issuer goes into the function's environment, "
                "its logs and every token check, and no token's `iss` carries them",
                f"set auth.issuer to {json.dumps(_without_userinfo(issuer))}, and change that password: it is in "
                "the stack's config history",
            )
        origin_path = urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, parsed.path, "", ""))
        if "?" in issuer or "#" in issuer:
            raise refuse(
                f"issuer {json.dumps(issuer)} has a query or fragment: an issuer is an origin and a path",
                f"set auth.issuer to {json.dumps(origin_path)}",
            )
        if "/.well-known/" in parsed.path + "/":
            base = origin_path[: origin_path.index("/.well-known")]
            raise refuse(
                f"issuer {json.dumps(issuer)} is the URL of a discovery document (/.well-known/...), not the "
                "issuer: tokens carry the part before /.well-known/ in `iss`",
                f"set auth.issuer to {json.dumps(base)} (the `issuer` field of {base}/.well-known/openid-configuration)"
                + ("; the key set URL goes in auth.jwksUrl" if "jwks" in parsed.path else ""),
            )
        return issuer

    @field_validator("audience", mode="before")
    @classmethod
    def _audience(cls, audience: Any) -> str:
        allowed = "the audience tokens carry in `aud` (a client id or API identifier): non-blank text"
        fix = "set auth.audience to the client id or API identifier the issuer puts in `aud`"
        if not isinstance(audience, str):
            raise problem(f"audience {json.dumps(audience)} is not text", allowed, fix, key=_key("auth"))
        if not audience.strip():
            raise problem(
                f"audience {json.dumps(audience)} is blank: no token's `aud` would match it",
                allowed,
                fix,
                key=_key("auth"),
            )
        if audience != audience.strip():
            raise problem(
                f"audience {json.dumps(audience)} has leading or trailing whitespace: no token's `aud` would match it",
                allowed,
                f"set auth.audience to {json.dumps(audience.strip())}",
                key=_key("auth"),
            )
        return audience

    @field_validator("scopes", mode="before")
    @classmethod
    def _scopes(cls, scopes: Any) -> Any:
        allowed = "a list of OAuth scope names, each non-blank with no spaces, e.g. [items/write]"
        if not isinstance(scopes, (list, tuple)):
            raise problem(
                f"scopes {json.dumps(scopes)} is not a list",
                allowed,
                f"set auth.scopes to a list, e.g. [{scopes}]" if isinstance(scopes, str) else "set auth.scopes: []",
                key=_key("auth"),
            )
        for scope in scopes:
            if not isinstance(scope, str) or not scope.strip():
                raise problem(
                    f"scope {json.dumps(scope)} is blank or not text: a token would need a scope with no name",
                    allowed,
                    f"remove {json.dumps(scope)} from auth.scopes",
                    key=_key("auth"),
                )
            if not re.fullmatch(r"[!#-\[\]-~]+", scope):
                raise problem(
                    f"scope {json.dumps(scope)} has a space, quote or backslash: scopes are single tokens "
                    "(RFC 6749 section 3.3)",
                    allowed,
                    f"set the scope to {json.dumps(scope.split()[0] if scope.split() else scope)} (one name per entry)",
                    key=_key("auth"),
                )
        return scopes


def _has_space(text: str) -> bool:
    return any(c.isspace() for c in text)


def _without_userinfo(url: str) -> str:
    """The URL without any user:password@ (never echo credentials back)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


class AlarmsSettings(BaseModel):
    """Where alarms go: subscribe an address to the stack's topics, or use existing ones."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    email: Optional[str] = None
    topic_arn: Optional[str] = Field(None, alias="topicArn")

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, email: Any) -> Any:
        if email is not None and not (isinstance(email, str) and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
            raise problem(
                f"email {json.dumps(email)} is not an email address",
                _HELP["alarms"][0],
                "set alarms: {email: ops@example.com} in Pulumi.<stack>.yaml",
                key=_key("alarms"),
            )
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
                key=_key("alarms"),
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
                key=_key("alarms"),
            )
        region_error = None if region == "{region}" else _region_problem(region, "region")
        if region_error:
            raise problem(
                f"topic {arn}: {region_error[0]}", allowed, f"set alarms: {{topicArn: {fixed}}}", key=_key("alarms")
            )
        if not re.fullmatch(r"[0-9]{12}", account) or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", name):
            raise problem(
                f"topicArn {json.dumps(arn)} needs a 12-digit account and a topic name of letters, digits, - and _",
                allowed,
                "copy the ARN from the SNS console (put {region} in place of the region)",
                key=_key("alarms"),
            )
        return arn

    @model_validator(mode="after")
    def _one(self) -> AlarmsSettings:
        if (self.email is None) == (self.topic_arn is None):
            raise problem(
                "set exactly one of email and topicArn", _HELP["alarms"][0], _HELP["alarms"][1], key=_key("alarms")
            )
        return self


class ProbesSettings(BaseModel):
    """Extra regions the synthetic probes run in (every stack region probes anyway)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    vantage_regions: tuple[Any, ...] = Field((), alias="vantageRegions")

    @field_validator("vantage_regions", mode="after")
    @classmethod
    def _known(cls, regions: tuple[str, ...]) -> tuple[str, ...]:
        for code in regions:
            wrong = _region_problem(code, "vantage region")
            if wrong:
                raise problem(wrong[0], _HELP["probes"][0], f"{wrong[1]} in probes.vantageRegions", key=_key("probes"))
        if len(set(regions)) != len(regions):
            raise problem(
                "a vantage region is listed twice", _HELP["probes"][0], _HELP["probes"][1], key=_key("probes")
            )
        return regions


class WafSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    rate_limit: Annotated[
        int, BeforeValidator(_cli_int), Field(strict=True, ge=WAF_RATE_LIMIT_RANGE[0], le=WAF_RATE_LIMIT_RANGE[1])
    ] = Field(alias="rateLimit")
    # Each web ACL's logs to a CloudWatch Logs group (aws-waf-logs-..., kept LOG_RETENTION_DAYS) in its region.
    logs: Annotated[bool, BeforeValidator(_cli_bool), Field(strict=True)] = False


class DomainSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    zone: str
    name: str

    @field_validator("zone", mode="before")
    @classmethod
    def _zone(cls, zone: Any) -> str:
        text = zone.strip(".") if isinstance(zone, str) else ""
        if not text or "." not in text or not all(_DNS_LABEL.match(p) for p in text.split(".")):
            raise problem(
                f"zone {json.dumps(zone)} is not a DNS zone name",
                _HELP["domain"][0],
                "set domain.zone to the name of a public Route 53 hosted zone you own, e.g. example.com",
            )
        return text

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, name: Any) -> str:
        if not isinstance(name, str) or not all(_DNS_LABEL.match(p) for p in name.split(".")):
            raise problem(
                f"name {json.dumps(name)} is not a DNS label",
                _HELP["domain"][0],
                "set domain.name to a lowercase label such as api (the API answers on name.zone)",
            )
        return name

    @model_validator(mode="after")
    def _lengths(self) -> DomainSettings:
        allowed = _HELP["domain"][0]
        if len(self.fqdn) > ACM_DOMAIN_NAME_LIMIT:
            raise problem(
                f"{self.fqdn} has {len(self.fqdn)} characters; ACM takes at most {ACM_DOMAIN_NAME_LIMIT} "
                "in a certificate's domain name",
                allowed,
                "use a shorter domain.name (or zone)",
            )
        longest = max((*DOORS, *region_catalogue.catalogue()), key=len)
        if len(f"{longest}.{self.fqdn}") > DNS_NAME_LIMIT:
            raise problem(
                f"{longest}.{self.fqdn} would exceed the {DNS_NAME_LIMIT}-character DNS name limit",
                allowed,
                "use a shorter domain.name (or zone)",
            )
        return self

    @property
    def fqdn(self) -> str:
        return f"{self.name}.{self.zone}"

    @property
    def wildcard(self) -> str:
        return f"*.{self.fqdn}"


class StackConfig(BaseModel):
    """The `global-serverless:*` keys as a stack sets them (aliases are the config keys)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    regions: Annotated[tuple[str, ...], _json_text("regions"), Field(min_length=1)]
    backend: str = DEFAULT_BACKEND
    # `frontDoor` is a name or a map: the before-validator routes it to one of these two.
    door: Optional[str] = Field(None, alias="frontDoorName")
    weights: Optional[dict[str, Weight]] = Field(None, alias="frontDoorWeights")
    domain: Annotated[Optional[DomainSettings], _json_text("domain")] = None
    health_check: Annotated[HealthCheckSettings, _json_text("healthCheck")] = Field(
        default_factory=HealthCheckSettings, alias="healthCheck"
    )
    deletion_protection: Annotated[bool, BeforeValidator(_cli_bool), Field(strict=True)] = Field(
        False, alias="deletionProtection"
    )
    traffic_dials: Annotated[dict[str, Dial], _json_text("trafficDials")] = Field(
        default_factory=dict, alias="trafficDials"
    )
    table_consistency: Literal["eventual", "strong"] = Field("eventual", alias="tableConsistency")
    witness_region: Optional[str] = Field(None, alias="witnessRegion")
    allow_plaintext: Annotated[bool, BeforeValidator(_cli_bool), Field(strict=True)] = Field(
        False, alias="allowPlaintext"
    )
    origin_secret_version: Annotated[
        int, BeforeValidator(_cli_int), Field(strict=True, ge=1, le=MAX_ORIGIN_SECRET_VERSION)
    ] = Field(1, alias="originSecretVersion")
    waf: Annotated[Optional[WafSettings], _json_text("waf")] = None
    auth: Annotated[Optional[AuthSettings], _json_text("auth")] = None
    alarms: Annotated[Optional[AlarmsSettings], _json_text("alarms")] = None
    probes: Annotated[ProbesSettings, _json_text("probes")] = Field(default_factory=ProbesSettings)
    access_log_days: Annotated[
        int, BeforeValidator(_cli_int), Field(strict=True, ge=ACCESS_LOG_DAYS_RANGE[0], le=ACCESS_LOG_DAYS_RANGE[1])
    ] = Field(DEFAULT_ACCESS_LOG_DAYS, alias="accessLogDays")

    @model_validator(mode="before")
    @classmethod
    def _split_front_door(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or "frontDoor" not in raw:
            return raw
        raw = dict(raw)
        value = raw.pop("frontDoor")
        if isinstance(value, str) and value.lstrip().startswith("{"):
            value = _decode_json("frontDoor", value, key=_key("frontDoor"))
        raw["frontDoorWeights" if isinstance(value, dict) else "frontDoorName"] = value
        return raw

    @field_validator("regions", mode="after")
    @classmethod
    def _regions(cls, regions: tuple[str, ...]) -> tuple[str, ...]:
        allowed, fix = _HELP["regions"]
        seen: set[str] = set()
        for code in regions:
            wrong = _region_problem(code)
            if wrong:
                raise problem(wrong[0], _REGION_CODES, wrong[1])
            if code in seen:
                raise problem(
                    f'"{code}" is listed twice',
                    "each region code at most once",
                    f'remove the second "{code}" from regions',
                )
            seen.add(code)
        return regions

    @field_validator("backend", mode="after")
    @classmethod
    def _backend(cls, backend: str) -> str:
        if backend not in BACKENDS:
            others = ", ".join(b for b in BACKENDS if b != DEFAULT_BACKEND)
            raise problem(
                "unknown backend",
                " or ".join(f'"{b}"' for b in BACKENDS),
                f"pulumi config set {_key('backend')} {DEFAULT_BACKEND}  (or {others})",
            )
        return backend

    @field_validator("door", mode="after")
    @classmethod
    def _door(cls, door: Optional[str]) -> Optional[str]:
        if door is not None and door not in DOORS:
            names = tuple(DOORS)
            raise problem(
                "unknown front door",
                _HELP["frontDoor"][0],
                f"pulumi config set {_key('frontDoor')} {names[0]}  (or {', '.join(names[1:])})",
            )
        return door

    @field_validator("weights", mode="after")
    @classmethod
    def _weights(cls, weights: Optional[dict[str, int]]) -> Optional[dict[str, int]]:
        for strategy in weights or {}:
            if strategy not in DOORS:
                raise problem(
                    f'"{strategy}" is not a front door',
                    _HELP["frontDoor"][0],
                    f'rename "{strategy}" to one of {", ".join(DOORS)}',
                )
        return weights

    @model_validator(mode="after")
    def _across_keys(self, info: ValidationInfo) -> StackConfig:
        self._check_home((info.context or {}).get("home_region", _UNSET))
        self._check_doors()
        self._check_dials()
        self._check_consistency()
        self._check_plaintext()
        self._check_waf()
        self._check_alarm_topic()
        self._check_vantages()
        self._check_key_set()
        return self

    def _check_key_set(self) -> None:
        """An ALB with a certificate validates tokens itself (jwt-validation), and ELB takes the key set's URL
        at deploy time: it must be known (AWS, ELB user guide, "Verify JWTs using an Application Load Balancer")."""
        if self.auth is None or self.backend != "alb" or self.domain is None or self.auth.key_set_url is not None:
            return
        raise problem(
            f"the alb backend validates tokens at the load balancer, which needs the issuer's key set URL; "
            f"{self.auth.issuer} is not an Amazon Cognito user pool, whose URL is known",
            "auth.jwksUrl: the jwks_uri from <issuer>/.well-known/openid-configuration",
            f"curl -s {self.auth.issuer.rstrip('/')}/.well-known/openid-configuration  (copy jwks_uri), then set "
            "auth: {issuer: ..., audience: ..., jwksUrl: <jwks_uri>} in Pulumi.<stack>.yaml",
            key=_key("auth"),
        )

    @property
    def is_split(self) -> bool:
        return len(self.weights or {}) > 1

    @property
    def front_door(self) -> tuple[tuple[str, Optional[int]], ...]:
        if self.is_split:
            return tuple(self.weights.items())
        if self.weights:  # a split of one is that door alone: the plan, the policy check and the deploy agree
            return ((next(iter(self.weights)), None),)
        return ((self.door or DEFAULT_FRONT_DOOR, None),)

    def _check_home(self, home: Any) -> None:
        allowed = f"one of the configured regions: {', '.join(self.regions)}"
        if home is _UNSET or home is None or home == "":
            raise problem(
                "the home region (table primary, global resources) is not set",
                allowed,
                f"pulumi config set aws:region {self.regions[0]}",
                key=HOME_REGION_KEY,
            )
        wrong = _region_problem(home, "home region")
        if wrong:
            raise problem(wrong[0], allowed, f"pulumi config set aws:region {self.regions[0]}", key=HOME_REGION_KEY)
        if home not in self.regions:
            raise problem(
                f'the home region "{home}" has no backend: it is not in {_key("regions")}',
                allowed,
                f'add "{home}" to {_key("regions")}, or pulumi config set aws:region {self.regions[0]}',
                key=HOME_REGION_KEY,
            )

    def _check_doors(self) -> None:
        strategies = [s for s, _ in self.front_door]
        for strategy in strategies:
            facts = DOORS[strategy]
            if self.backend not in facts.backends:
                others = [s for s, f in DOORS.items() if self.backend in f.backends]
                raise problem(
                    f'"{strategy}" cannot front the "{self.backend}" backend: {facts.why_backends}',
                    "; ".join(f"{s} with backend {' or '.join(f.backends)}" for s, f in DOORS.items()),
                    f"pulumi config set {_key('backend')} {facts.backends[0]}  (or choose {'/'.join(others)} as the front door)",
                    key=_key("frontDoor"),
                )
        if self.domain is not None:
            return
        zone_help = "a map {zone, name} naming a public Route 53 hosted zone"
        if self.is_split:
            raise problem(
                "an A/B front door map needs a domain: the split is weighted Route 53 records on name.zone",
                zone_help,
                "set domain: {zone: example.com, name: api} in Pulumi.<stack>.yaml, or use a single frontDoor",
                key=_key("domain"),
            )
        for strategy in strategies:
            if DOORS[strategy].needs_domain:
                without = "/".join(s for s, f in DOORS.items() if not f.needs_domain)
                raise problem(
                    f'frontDoor "{strategy}" needs a domain: latency records live in its hosted zone',
                    zone_help,
                    f"set domain: {{zone: example.com, name: api}} in Pulumi.<stack>.yaml, or use frontDoor {without}",
                    key=_key("domain"),
                )

    def _check_dials(self) -> None:
        allowed, _ = _HELP["trafficDials"]
        for region in self.traffic_dials:
            if region in DOORS:
                raise problem(
                    f'"{region}" is a front door, not a region: trafficDials drain a region under every door',
                    allowed,
                    f'remove "{region}" from trafficDials (to stop deploying a door, remove it from frontDoor); '
                    f"to drain a region: trafficDials: {{{self.regions[-1]}: 0}}",
                    key=_key("trafficDials"),
                )
            wrong = _region_problem(region, "trafficDials key")
            if wrong:
                raise problem(wrong[0], allowed, f"{wrong[1]} in trafficDials", key=_key("trafficDials"))
            if region not in self.regions:
                raise problem(
                    f'"{region}" is not one of the configured regions',
                    allowed,
                    f'remove "{region}" from trafficDials, or add it to {_key("regions")}',
                    key=_key("trafficDials"),
                )
        partial = {r: d for r, d in self.traffic_dials.items() if 0 < d < 100}
        if partial and [s for s, _ in self.front_door] == ["route53"]:
            region, dial = next(iter(partial.items()))
            raise problem(
                f"route53 cannot send a share of traffic: {region} is dialled to {dial}; latency DNS either "
                "answers with a region or not",
                "0 (no latency record: the region gets nothing) or 100 with frontDoor route53",
                f"set trafficDials: {{{region}: 0}} to drain it, or use frontDoor globalaccelerator or cloudfront "
                "for partial dials",
                key=_key("trafficDials"),
            )
        if self.traffic_dials and all(self.traffic_dials.get(r, 100) == 0 for r in self.regions):
            raise problem(
                "every region's dial is 0: no region would take traffic",
                allowed,
                "leave at least one region above 0 (to stop serving, remove the front door instead)",
                key=_key("trafficDials"),
            )

    def _check_vantages(self) -> None:
        already = [r for r in self.probes.vantage_regions if r in self.regions]
        if already:
            raise problem(
                f"{already[0]} is one of the stack's regions, which probe every door already",
                _HELP["probes"][0],
                f"remove {already[0]} from probes.vantageRegions",
                key=_key("probes"),
            )

    def _check_alarm_topic(self) -> None:
        arn = self.alarms.topic_arn if self.alarms else None
        if arn is None or "{region}" in arn:
            return
        topic_region = arn.split(":")[3]
        elsewhere = [r for r in self.regions if r != topic_region]
        if elsewhere:
            raise problem(
                f"topic {arn} is in {topic_region}, but CloudWatch alarms notify topics in their own region "
                f"only, and this stack has alarms in {', '.join(elsewhere)}",
                "a topic ARN with {region} in place of the region, naming a topic of that name in every region",
                f"set alarms: {{topicArn: {arn.replace(topic_region, '{region}', 1)}}} (and create the topic in each "
                "region), or use alarms: {email: ...} for topics the stack makes",
                key=_key("alarms"),
            )

    def _check_waf(self) -> None:
        if self.waf is None:
            return
        strategies = tuple(s for s, _ in self.front_door)
        coverage = waf_coverage(strategies, self.backend)
        if coverage.edge or coverage.regional:
            return
        raise problem(
            f"no request would pass a web ACL: {', '.join(coverage.uncovered)} (HTTP APIs cannot take a WAFv2 "
            "web ACL, and no front door of this stack can)",
            "waf with the cloudfront front door (alone or in an A/B map), or with the alb backend",
            f"pulumi config rm {_key('waf')}  (or use frontDoor cloudfront, or backend alb)",
            key=_key("waf"),
        )

    def _check_plaintext(self) -> None:
        hop = plaintext_hop(self.backend, self.domain is not None, tuple(s for s, _ in self.front_door))
        if hop is None or self.allow_plaintext:
            return
        raise problem(
            f"{hop}: anyone on the path can read and change requests and answers",
            f"a domain (every hop is then HTTPS), or {_key('allowPlaintext')}: true to accept the plaintext hop",
            f"set domain: {{zone: example.com, name: api}} in Pulumi.<stack>.yaml"
            f"  (or, for a throwaway stack only: pulumi config set {_key('allowPlaintext')} true)",
            key=_key("backend"),
        )

    def _check_consistency(self) -> None:
        """DynamoDB's MRSC rules (catalogue.MRSC_REGION_SETS)."""
        key, witness_key, witness = _key("tableConsistency"), _key("witnessRegion"), self.witness_region
        wrong = None if witness is None else _region_problem(witness, "witness region")
        if wrong:
            raise problem(wrong[0], _HELP["witnessRegion"][0], wrong[1], key=witness_key)
        if self.table_consistency == "eventual":
            if witness is not None:
                raise problem(
                    "a witness region only serves a strong (MRSC) table",
                    "unset, unless tableConsistency is strong",
                    f"pulumi config rm {witness_key}  (or set {key} strong)",
                    key=witness_key,
                )
            return
        sets = "; ".join(f"{name}: {', '.join(members)}" for name, members in MRSC_REGION_SETS.items())
        outside = [r for r in self.regions if mrsc_set_of(r) is None]
        if outside or len({mrsc_set_of(r) for r in self.regions}) > 1:
            raise problem(
                f"regions {', '.join(self.regions)} are not all in one MRSC region set"
                + (f" ({', '.join(outside)} is in none)" if outside else ""),
                f"strong with three regions of one set ({sets})",
                f"pulumi config set {key} eventual, or choose regions from one set",
                key=key,
            )
        home_set = mrsc_set_of(self.regions[0])
        if witness is not None and (mrsc_set_of(witness) != home_set or witness in self.regions):
            raise problem(
                "the witness must be a region of the same MRSC set as the regions, and not one of them "
                "(it holds no backend)",
                f"a region of the {home_set} set other than {', '.join(self.regions)}",
                f"pulumi config set {witness_key} <region of the same set>",
                key=witness_key,
            )
        if len(self.regions) + (witness is not None) != MRSC_REGION_COUNT or len(self.regions) < 2:
            have = f"{len(self.regions)} region(s)" + (" and a witness" if witness else "")
            raise problem(
                f"an MRSC table spans exactly {MRSC_REGION_COUNT} regions (three replicas, or two and a witness); "
                f"this stack has {have}",
                f"three regions, or two regions plus {witness_key}, of one set ({sets})",
                f"add or remove regions, set {witness_key} with two regions, or set {key} eventual",
                key=key,
            )


# ---------------------------------------------------------------------------------------------
# pydantic's errors in our words.

_FIELD_KEYS = {"frontDoorName": "frontDoor", "frontDoorWeights": "frontDoor"}


def _render(error: dict, raw: dict[str, Any]) -> ConfigError:
    loc = [str(part) for part in error["loc"]]
    ctx = error.get("ctx") or {}
    if error["type"] == "stack_config" and ctx.get("key"):
        key = ctx["key"]
        name = key.split(":", 1)[1] if key.startswith(f"{NAMESPACE}:") else None
        value = raw.get(name, _UNSET) if name else (raw.get("__home__", _UNSET))
        return ConfigError(key, value, ctx["problem"], ctx["allowed"], ctx["fix"])
    name = _FIELD_KEYS.get(loc[0], loc[0]) if loc else "regions"
    value = raw.get(name, _UNSET)
    if error["type"] == "stack_config":
        return ConfigError(_key(name), value, ctx["problem"], ctx["allowed"], ctx["fix"])
    if error["type"] == "extra_forbidden" and len(loc) == 1:
        near = difflib.get_close_matches(name, config_keys(), n=1)
        return ConfigError(
            _key(name),
            value,
            "unknown config key",
            f"keys {', '.join(config_keys())} (and aws:region)",
            f"rename it to {_key(near[0])}" if near else f"pulumi config rm {_key(name)}",
        )
    allowed, fix = _HELP[name]
    text, allowed, fix = _describe(name, loc, error, allowed, fix)
    return ConfigError(_key(name), value, text, allowed, fix)


def _describe(name: str, loc: list[str], error: dict, allowed: str, fix: str) -> tuple[str, str, str]:
    """(problem, allowed, fix) for pydantic's own error types: type, range, literal, missing, unknown field."""
    kind, given = error["type"], error.get("input")
    shown = json.dumps(given, default=str)
    if kind == "extra_forbidden":
        return f"unknown field(s) {loc[-1]}", allowed, f"remove {loc[-1]} from {name}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a map", allowed, fix
    if name == "regions":
        if kind == "missing":
            return "no regions are configured", allowed, fix
        if kind == "too_short":
            return "the list is empty: no region would get a backend", "at least one AWS region code", fix
        return "must be a list of region code strings", allowed, fix
    if name == "frontDoor" and len(loc) == 2 and loc[0] == "frontDoorWeights":
        return (
            f'weight {shown} for "{loc[1]}" is not a positive integer up to {MAX_WEIGHT}',
            f"whole numbers 1-{MAX_WEIGHT} (Route 53 weights); traffic splits in proportion to them",
            f'give "{loc[1]}" a weight such as 50, or remove it from the map to stop deploying it',
        )
    if name == "frontDoor":
        return "must be a strategy name or a non-empty map {strategy: weight}", allowed, fix
    if name == "healthCheck" and loc[-1] == "path":
        return (
            f"path {shown} is not an absolute URL path",
            allowed,
            "set healthCheck.path to the API's health route, /health",
        )
    if name == "healthCheck" and loc[-1] == "intervalSeconds":
        return (
            f"intervalSeconds {shown} is not one Route 53 supports",
            allowed,
            "set healthCheck.intervalSeconds to 30 (standard) or 10 (fast, paid)",
        )
    if name == "healthCheck" and loc[-1] == "failureThreshold":
        low, high = HEALTH_THRESHOLD_RANGE
        return (
            f"failureThreshold {shown} is "
            + (
                "out of range"
                if kind.startswith(("greater", "less"))
                else "not a whole number (write it without quotes)"
            ),
            allowed,
            f"set healthCheck.failureThreshold to a whole number from {low} to {high} (3 is the AWS default)",
        )
    if name == "trafficDials" and len(loc) == 2:
        return (
            f'dial {shown} for "{loc[1]}" is not a whole percent',
            allowed,
            f"set trafficDials.{loc[1]} to a number from 0 (drain) to 100 (full share)",
        )
    words = {
        "deletionProtection": "must be a boolean",
        "allowPlaintext": "must be a boolean",
        "tableConsistency": "unknown table consistency",
        "backend": "unknown backend",
    }
    if name in words:
        return words[name], allowed, fix
    if kind.startswith(("greater_than", "less_than")):  # a number as the CLI stored it: "-1" is -1 here
        ctx = error.get("ctx") or {}
        bound = next((f"{word} {ctx[k]}" for k, word in _BOUNDS if k in ctx), "")
        shown = f"{json.dumps(_cli_int(given), default=str)} is out of range" + (f" ({bound})" if bound else "")
        return f"{_field_name(loc) or name} {shown}", allowed, fix
    return _in_our_words(_field_name(loc) or name, kind, shown), allowed, fix


_BOUNDS = (
    ("ge", "the lowest allowed is"),
    ("gt", "it must be above"),
    ("le", "the highest allowed is"),
    ("lt", "it must be below"),
)


def _field_name(loc: list[str]) -> str:
    """auth.scopes[0] from pydantic's location ["auth", "scopes", "0"]."""
    text = ""
    for part in loc[1:]:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def _in_our_words(field: str, kind: str, shown: str) -> str:
    """Any other pydantic error type, without pydantic's message or a Python type name."""
    if kind == "missing":
        return f"{field} is missing"
    if kind.startswith(("int_", "float_")) or kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{field} {shown} is not a whole number (write it without quotes or a decimal point)"
    if kind.startswith(("greater_than", "less_than")):
        return f"{field} {shown} is out of range"
    if kind.startswith("bool_"):
        return f"{field} {shown} is not true or false"
    if kind.startswith("string_"):
        return f"{field} {shown} is not text of the allowed form"
    if kind in ("tuple_type", "list_type", "too_short", "too_long"):
        return f"{field} {shown} is not a list of the allowed length"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{field} {shown} is not a map"
    if kind in ("literal_error", "enum"):
        return f"{field} {shown} is not one of the allowed values"
    return f"{field} {shown} is not allowed here"


def config_keys() -> tuple[str, ...]:
    """Every `global-serverless:` key a stack may set."""
    return tuple(dict.fromkeys(_FIELD_KEYS.get(f.alias, f.alias) or n for n, f in StackConfig.model_fields.items()))


# ---------------------------------------------------------------------------------------------
# The settings the program composes from.


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    project: str
    stack: str
    home_region: str
    regions: tuple[str, ...]
    backend: str  # a key of catalogue.BACKENDS
    # (strategy, weight) pairs; a single pair with weight None is a plain (non A/B) front door.
    front_door: tuple[tuple[str, Optional[int]], ...]
    domain: Optional[DomainSettings] = None
    health_check: HealthCheckSettings = HealthCheckSettings()
    deletion_protection: bool = False
    traffic_dials: tuple[tuple[str, int], ...] = ()
    table_consistency: Literal["eventual", "strong"] = "eventual"
    witness_region: Optional[str] = None
    allow_plaintext: bool = False
    origin_secret_version: int = 1
    access_log_days: int = DEFAULT_ACCESS_LOG_DAYS
    waf: Optional[WafSettings] = None
    auth: Optional[AuthSettings] = None
    alarms: Optional[AlarmsSettings] = None
    vantage_regions: tuple[str, ...] = ()  # probes.vantageRegions: extra regions that probe

    @property
    def probe_regions(self) -> tuple[str, ...]:
        """Every region that runs the synthetic probes: the stack's, then the extra vantages."""
        return (*self.regions, *self.vantage_regions)

    @property
    def plaintext_hop(self) -> Optional[str]:
        """The unencrypted internet hop this stack accepted with allowPlaintext, or None."""
        return plaintext_hop(self.backend, self.domain is not None, self.strategies)

    @property
    def is_ab(self) -> bool:
        return self.front_door[0][1] is not None

    @property
    def strategies(self) -> tuple[str, ...]:
        return tuple(strategy for strategy, _ in self.front_door)

    @property
    def weights(self) -> dict[str, int]:
        """Strategy -> weight of the A/B split (empty for a single front door)."""
        return {s: w for s, w in self.front_door if w is not None}

    @property
    def door_weights(self) -> dict[str, int]:
        """Strategy -> weight of its member of the main name's record set (a single door: a set of one)."""
        return self.weights if self.is_ab else {self.strategies[0]: SINGLE_DOOR_WEIGHT}

    @property
    def hostnames(self) -> Optional[HostnamePlan]:
        """Every hostname the stack answers on, or None without a domain."""
        if self.domain is None:
            return None
        return plan_hostnames(self.domain.fqdn, self.regions, self.door_weights)

    @property
    def replica_regions(self) -> tuple[str, ...]:
        return tuple(r for r in self.regions if r != self.home_region)

    def traffic_dial(self, region: str) -> int:
        return dict(self.traffic_dials).get(region, 100)

    @property
    def opt_in_warnings(self) -> tuple[str, ...]:
        """One note per opt-in region the stack deploys to (components/stack/data/aws_opt_in_regions.json): the
        deploy fails there unless the account has enabled the region, which no config can tell."""
        table = region_catalogue.opt_in_table()
        places = [(_key("regions"), r) for r in self.regions]
        places += [(_key("witnessRegion"), self.witness_region)] if self.witness_region else []
        places += [(f"{_key('probes')}.vantageRegions", r) for r in self.vantage_regions]
        return tuple(
            f"{key}: {code} ({table['regions'][code]}) is an opt-in region: the deploy fails there unless this "
            f"AWS account has enabled it. Check: aws account get-region-opt-status --region-name {code} "
            f"(ENABLED or ENABLED_BY_DEFAULT is ready). Enable: aws account enable-region --region-name {code} "
            "(or the console: Account > AWS Regions); it takes minutes, for some accounts hours. "
            f"(Opt-in table of {table['date']}: AWS Account Management, Enable or disable AWS Regions.)"
            for key, code in places
            if region_catalogue.is_opt_in(code)
        )

    def warnings(self) -> list[str]:
        """Valid but probably not what was meant: shown by `pulumi up`, never fatal."""
        notes = list(self.opt_in_warnings)
        partial = sorted(r for r, d in self.traffic_dials if 0 < d < 100)
        if partial and "route53" in self.strategies:
            notes.append(
                f"{_key('trafficDials')}: route53 cannot send a share of traffic, so {', '.join(partial)} "
                "keeps its latency record there (a dial of 0 would remove it); the other doors apply the dial."
            )
        return notes


def parse_settings(
    raw: dict[str, Any],
    home_region: Any,
    project: str = PROJECT,
    stack: str = "dev",
    stack_config: Optional[Mapping[str, Any]] = None,
) -> Settings:
    """Validate raw config values (keys without the namespace) into Settings, or raise ConfigError.

    `stack_config`, the stack's whole config (full keys, every namespace) when the caller has it, lets a
    key in a misspelt namespace (`global-serveless:backend`) be refused rather than silently ignored."""
    values = {k: v for k, v in raw.items() if v is not None}
    _check_keys(values, stack_config or {})
    try:
        config = StackConfig.model_validate(values, context={"home_region": home_region})
    except ValidationError as invalid:
        shown = {k: _decoded(k, v) for k, v in values.items()}
        shown["__home__"] = _UNSET if home_region in (None, "") else home_region
        raise _render(invalid.errors()[0], shown) from None
    return Settings(
        project=project,
        stack=stack,
        home_region=home_region,
        regions=config.regions,
        backend=config.backend,
        front_door=config.front_door,
        domain=config.domain,
        health_check=config.health_check,
        deletion_protection=config.deletion_protection,
        traffic_dials=tuple(sorted(config.traffic_dials.items())),
        table_consistency=config.table_consistency,
        witness_region=config.witness_region,
        allow_plaintext=config.allow_plaintext,
        origin_secret_version=config.origin_secret_version,
        access_log_days=config.access_log_days,
        waf=config.waf,
        auth=config.auth,
        alarms=config.alarms,
        vantage_regions=config.probes.vantage_regions,
    )


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])  # fmt: skip
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


_MAP_KEYS = tuple(name for name in _SHAPES if name != "regions")
_EMPTY_MEANS = {
    "frontDoor": "it names no front door, and would silently deploy the default, cloudfront",
    "healthCheck": "it would silently take every default",
    "trafficDials": "it dials nothing",
    "probes": "it adds no vantage region",
}


def _check_keys(values: dict[str, Any], stack_config: Mapping[str, Any]) -> None:
    """Key names before values: a misspelt namespace, a key that is not ours, a nested key written as one
    (`trafficDials.eu-west-1`, the way `pulumi config set --path` takes it), an empty map."""
    keys = config_keys()
    for full in sorted(stack_config):
        namespace, _, name = full.partition(":")
        if not name or namespace == NAMESPACE or not _one_edit(namespace.lower(), NAMESPACE):
            continue
        head = re.split(r"[.\[]", name, maxsplit=1)[0]
        near = head if head in keys else next(iter(difflib.get_close_matches(head, keys, n=1)), None)
        raise ConfigError(
            full,
            _NOT_READ,
            f'namespace "{namespace}" is not {NAMESPACE}: this program reads only {NAMESPACE}:* keys, so '
            f"{full} would be ignored",
            f"{NAMESPACE}:<key> for keys {', '.join(keys)} (and aws:region)",
            f"pulumi config rm '{full}' && pulumi config set {_key(near or name)} <value>  "
            f"(or rename it to {_key(near or name)} in Pulumi.<stack>.yaml)",
        )
    for name, value in values.items():
        if name in keys:
            continue
        head = re.split(r"[.\[]", name, maxsplit=1)[0]
        if head != name and head in keys:
            rest = name[len(head) :].lstrip(".")
            example = _decoded("regions", value) if isinstance(value, str) else value
            sample = json.dumps({rest: example}) if "[" not in rest and "." not in rest else _SHAPES[head][1]
            raise ConfigError(
                _key(name),
                value,
                f'"{name}" is a nested key written as a key of its own: the program reads {_key(head)} as '
                f"{_SHAPES.get(head, ('one map',))[0]}, so this value would be ignored",
                _HELP[head][0],
                f"pulumi config rm '{_key(name)}' && pulumi config set --path '{_key(name)}' <value>  (--path "
                f"writes it inside {head}); or in Pulumi.<stack>.yaml {head}: {sample}; with the offline tools: "
                f"--config '{head}={sample}'",
            )
        near = difflib.get_close_matches(name, keys, n=1)
        raise ConfigError(
            _key(name),
            value,
            "unknown config key",
            f"keys {', '.join(keys)} (and aws:region)",
            f"rename it to {_key(near[0])}" if near else f"pulumi config rm {_key(name)}",
        )
    for name in _MAP_KEYS:
        if name in values and _decoded(name, values[name]) == {}:
            raise ConfigError(
                _key(name),
                {},
                "an empty map sets nothing" + (f": {_EMPTY_MEANS[name]}" if name in _EMPTY_MEANS else ""),
                _HELP[name][0],
                f"pulumi config rm {_key(name)} to leave it unset, or fill it in, e.g. {name}: {_SHAPES[name][1]}",
            )


def _decoded(name: str, value: Any) -> Any:
    """The value as the error message shows it: decoded when it is JSON text of a structured key."""
    if name in _SHAPES and isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


# ---------------------------------------------------------------------------------------------
# The running stack.

# The pulumi-aws provider's configuration keys (aws:<key>), for a warning on a misspelt one.
AWS_PROVIDER_KEYS = (
    "region", "profile", "accessKey", "secretKey", "token", "sharedCredentialsFiles", "sharedConfigFiles",
    "assumeRole", "assumeRoleWithWebIdentity", "defaultTags", "ignoreTags", "endpoints", "allowedAccountIds",
    "forbiddenAccountIds", "maxRetries", "retryMode", "skipCredentialsValidation", "skipMetadataApiCheck",
    "skipRegionValidation", "skipRequestingAccountId", "stsRegion", "useFipsEndpoint", "useDualstackEndpoint",
    "s3UsePathStyle", "insecure", "httpProxy", "httpsProxy", "noProxy", "customCaBundle",
    "ec2MetadataServiceEndpoint", "ec2MetadataServiceEndpointMode", "tokenBucketRateLimiterCapacity",
)  # fmt: skip


def aws_key_warnings(keys) -> list[str]:
    """A warning for each `aws:` key the provider does not know that looks like one it does."""
    notes = []
    for full in sorted(keys):
        if not full.startswith("aws:") or full[4:] in AWS_PROVIDER_KEYS:
            continue
        near = difflib.get_close_matches(full[4:], AWS_PROVIDER_KEYS, n=1, cutoff=0.7)
        if near:
            notes.append(
                f"stack config {full} is not an AWS provider setting; did you mean aws:{near[0]}? "
                f"Fix: pulumi config rm {full} && pulumi config set aws:{near[0]} <value>"
            )
    return notes


def _namespace_values() -> dict[str, Any]:
    """Every `global-serverless:*` value the engine passed, so unknown keys can be refused."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    prefix = f"{NAMESPACE}:"
    return {k[len(prefix) :]: v for k, v in merged.items() if k.startswith(prefix)}


def load_settings() -> Settings:
    """Read and validate the running stack's config. Registers nothing."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    every_key = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    settings = parse_settings(
        _namespace_values(),
        runtime_config.get_config(HOME_REGION_KEY) or _UNSET,
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
        stack_config=every_key,
    )
    for note in [*aws_key_warnings(every_key), *settings.warnings()]:
        pulumi.log.warn(note)
    return settings
