"""The stack config contract, parsed once into one frozen model before any resource exists.

Every bad value raises ConfigError, whose message names the stack key, the value received, what is
allowed and the fix. `parse_settings` is pure (tests call it with plain dicts); `load_settings`
reads the Pulumi config of the running stack.
"""

from __future__ import annotations

import difflib
import json
import posixpath
import re
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict

from components import regions as region_catalogue
from components.catalogue import (
    BACKENDS,
    DEFAULT_BACKEND,
    DEFAULT_FRONT_DOOR,
    DOORS,
    HEALTH_INTERVALS,
    HEALTH_THRESHOLD_RANGE,
    HOME_REGION_KEY,
    MAX_WEIGHT,
    MRSC_REGION_COUNT,
    MRSC_REGION_SETS,
    NAMESPACE,
    TABLE_CONSISTENCY_MODES,
    TRAFFIC_DIAL_RANGE,
    mrsc_set_of,
)
from components.hostnames import SINGLE_DOOR_WEIGHT, HostnamePlan, plan_hostnames

KNOWN_KEYS = (
    "regions",
    "backend",
    "frontDoor",
    "domain",
    "healthCheck",
    "deletionProtection",
    "trafficDials",
    "tableConsistency",
    "witnessRegion",
)

_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_HEALTH_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")
API_ROUTES_PREFIX = "/items"  # the API's item routes (functions/api/routes.py)
# ACM takes at most 64 characters in a certificate's first domain name (the main name here);
# a DNS name is at most 253, and the longest name planned is <door>.<main> or <region>.<main>.
ACM_DOMAIN_NAME_LIMIT = 64
DNS_NAME_LIMIT = 253


class ConfigError(ValueError):
    """A stack config value the program cannot deploy, explained for the person who set it."""

    def __init__(self, key: str, value: Any, problem: str, allowed: str, fix: str):
        self.key = key
        self.value = value
        shown = "(not set)" if value is _UNSET else json.dumps(value)
        super().__init__(f"Invalid stack config {key} = {shown}: {problem}\n  Allowed: {allowed}\n  Fix: {fix}")


_UNSET = object()


def _key(name: str) -> str:
    return f"{NAMESPACE}:{name}"


class HealthCheckSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str = "/health"
    interval_seconds: int = 30
    failure_threshold: int = 3

    @property
    def detection_seconds(self) -> int:
        """Roughly how long a dead region keeps getting traffic before checkers call it down."""
        return self.interval_seconds * self.failure_threshold


class DomainSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    zone: str
    name: str

    @property
    def fqdn(self) -> str:
        return f"{self.name}.{self.zone}"

    @property
    def wildcard(self) -> str:
        return f"*.{self.fqdn}"


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

    def warnings(self) -> list[str]:
        """Valid but probably not what was meant: shown by `pulumi up`, never fatal."""
        notes = []
        if self.traffic_dials and "globalaccelerator" not in self.strategies:
            notes.append(
                f"{_key('trafficDials')} is set but only Global Accelerator has traffic dials; with frontDoor "
                f"{', '.join(self.strategies)} it changes nothing. To drain a region there, use "
                "`python -m ops.gameday --stack <stack> --region <region> down`."
            )
        return notes


# ---------------------------------------------------------------------------------------------
# Parsing: raw Pulumi config values (strings, or already-decoded JSON) -> Settings.


def _decode(name: str, raw: Any, shape: str, example: str) -> Any:
    """Pulumi hands structured config to programs as JSON text; accept it decoded too."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise ConfigError(
            _key(name),
            raw,
            f"not valid JSON for {shape}",
            shape,
            f"pulumi config set --path '{_key(name)}' ... or write it in Pulumi.<stack>.yaml as {example}",
        ) from None


def _parse_regions(raw: Any) -> tuple[str, ...]:
    key = _key("regions")
    fix_list = 'list every region once in Pulumi.<stack>.yaml, e.g. regions: ["us-east-1", "eu-west-1"]'
    if raw is _UNSET or raw is None:
        raise ConfigError(key, _UNSET, "no regions are configured", "a non-empty list of AWS region codes", fix_list)
    value = _decode("regions", raw, "a list of AWS region codes", '["us-east-1", "eu-west-1"]')
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise ConfigError(
            key, value, "must be a list of region code strings", "a non-empty list of AWS region codes", fix_list
        )
    if not value:
        raise ConfigError(
            key, value, "the list is empty: no region would get a backend", "at least one AWS region code", fix_list
        )
    seen: set[str] = set()
    for code in value:
        if not region_catalogue.is_known(code):
            near = region_catalogue.closest_codes(code)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise ConfigError(
                key,
                value,
                f'"{code}" is not an AWS region code{hint}',
                "codes from components/data/aws_regions.json, e.g. us-east-1, eu-west-1, ap-southeast-1",
                f'replace "{code}" with a region code' + (f' such as "{near[0]}"' if near else ""),
            )
        if code in seen:
            raise ConfigError(
                key,
                value,
                f'"{code}" is listed twice',
                "each region code at most once",
                f'remove the second "{code}" from regions',
            )
        seen.add(code)
    return tuple(value)


def _parse_home_region(raw: Any, regions: tuple[str, ...]) -> str:
    if raw is _UNSET or raw is None or raw == "":
        raise ConfigError(
            HOME_REGION_KEY,
            _UNSET,
            "the home region (table primary, global resources) is not set",
            f"one of the configured regions: {', '.join(regions)}",
            f"pulumi config set aws:region {regions[0]}",
        )
    if raw not in regions:
        raise ConfigError(
            HOME_REGION_KEY,
            raw,
            f'the home region "{raw}" has no backend: it is not in {_key("regions")}',
            f"one of the configured regions: {', '.join(regions)}",
            f'add "{raw}" to {_key("regions")}, or pulumi config set aws:region {regions[0]}',
        )
    return raw


def _parse_backend(raw: Any) -> str:
    if raw is _UNSET or raw is None:
        return DEFAULT_BACKEND
    if raw not in BACKENDS:
        names = " or ".join(f'"{name}"' for name in BACKENDS)
        raise ConfigError(
            _key("backend"),
            raw,
            "unknown backend",
            names,
            f"pulumi config set {_key('backend')} {DEFAULT_BACKEND}  (or {', '.join(b for b in BACKENDS if b != DEFAULT_BACKEND)})",
        )
    return raw


def _parse_front_door(raw: Any) -> tuple[tuple[str, Optional[int]], ...]:
    key = _key("frontDoor")
    strategies = tuple(DOORS)
    allowed = f"one of {', '.join(strategies)}, or a map {{strategy: weight}} for an A/B split"
    if raw is _UNSET or raw is None:
        return ((DEFAULT_FRONT_DOOR, None),)
    value = raw
    if isinstance(raw, str) and raw.lstrip().startswith("{"):
        value = _decode("frontDoor", raw, "a map {strategy: weight}", "{globalaccelerator: 50, cloudfront: 50}")
    if isinstance(value, str):
        if value not in strategies:
            raise ConfigError(
                key,
                value,
                "unknown front door",
                allowed,
                f"pulumi config set {key} {strategies[0]}  (or {', '.join(strategies[1:])})",
            )
        return ((value, None),)
    if not isinstance(value, dict) or not value:
        raise ConfigError(
            key,
            value,
            "must be a strategy name or a non-empty map {strategy: weight}",
            allowed,
            "set frontDoor: cloudfront, or frontDoor: {globalaccelerator: 50, cloudfront: 50} in Pulumi.<stack>.yaml",
        )
    pairs = []
    for strategy, weight in value.items():
        if strategy not in strategies:
            raise ConfigError(
                key,
                value,
                f'"{strategy}" is not a front door',
                allowed,
                f'rename "{strategy}" to one of {", ".join(strategies)}',
            )
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
            raise ConfigError(
                key,
                value,
                f'weight {json.dumps(weight)} for "{strategy}" is not a positive integer up to {MAX_WEIGHT}',
                f"whole numbers 1-{MAX_WEIGHT} (Route 53 weights); traffic splits in proportion to them",
                f'give "{strategy}" a weight such as 50, or remove it from the map to stop deploying it',
            )
        pairs.append((strategy, weight))
    if len(pairs) == 1:
        # A split of one is that door alone: the plan, the policy check and the deploy all treat it so.
        return ((pairs[0][0], None),)
    return tuple(pairs)


def _parse_domain(raw: Any) -> Optional[DomainSettings]:
    key = _key("domain")
    allowed = "a map {zone: <public hosted zone name>, name: <label>}, e.g. {zone: example.com, name: api}"
    if raw is _UNSET or raw is None:
        return None
    value = _decode("domain", raw, "a map {zone, name}", "{zone: example.com, name: api}")
    if not isinstance(value, dict):
        raise ConfigError(
            key, value, "must be a map", allowed, "set domain: {zone: example.com, name: api} in Pulumi.<stack>.yaml"
        )
    unknown = sorted(set(value) - {"zone", "name"})
    if unknown:
        raise ConfigError(
            key, value, f"unknown field(s) {', '.join(unknown)}", allowed, f"remove {', '.join(unknown)} from domain"
        )
    zone, name = value.get("zone"), value.get("name")
    if (
        not isinstance(zone, str)
        or not zone.strip(".")
        or not all(_DNS_LABEL.match(p) for p in zone.strip(".").split("."))
        or "." not in zone.strip(".")
    ):
        raise ConfigError(
            key,
            value,
            f"zone {json.dumps(zone)} is not a DNS zone name",
            allowed,
            "set domain.zone to the name of a public Route 53 hosted zone you own, e.g. example.com",
        )
    if not isinstance(name, str) or not all(_DNS_LABEL.match(p) for p in name.split(".")):
        raise ConfigError(
            key,
            value,
            f"name {json.dumps(name)} is not a DNS label",
            allowed,
            "set domain.name to a lowercase label such as api (the API answers on name.zone)",
        )
    fqdn = f"{name}.{zone.strip('.')}"
    if len(fqdn) > ACM_DOMAIN_NAME_LIMIT:
        raise ConfigError(
            key,
            value,
            f"{fqdn} has {len(fqdn)} characters; ACM takes at most {ACM_DOMAIN_NAME_LIMIT} "
            "in a certificate's domain name",
            allowed,
            "use a shorter domain.name (or zone)",
        )
    longest = max((*DOORS, *region_catalogue.catalogue()), key=len)
    if len(f"{longest}.{fqdn}") > DNS_NAME_LIMIT:
        raise ConfigError(
            key,
            value,
            f"{longest}.{fqdn} would exceed the {DNS_NAME_LIMIT}-character DNS name limit",
            allowed,
            "use a shorter domain.name (or zone)",
        )
    return DomainSettings(zone=zone.strip("."), name=name)


def _parse_health_check(raw: Any) -> HealthCheckSettings:
    key = _key("healthCheck")
    allowed = f"a map {{path: /health, intervalSeconds: 10 or 30, failureThreshold: {HEALTH_THRESHOLD_RANGE[0]}-{HEALTH_THRESHOLD_RANGE[1]}}}"
    if raw is _UNSET or raw is None:
        return HealthCheckSettings()
    value = _decode(
        "healthCheck",
        raw,
        "a map {path, intervalSeconds, failureThreshold}",
        "{path: /health, intervalSeconds: 10, failureThreshold: 3}",
    )
    if not isinstance(value, dict):
        raise ConfigError(
            key,
            value,
            "must be a map",
            allowed,
            "set healthCheck: {path: /health, intervalSeconds: 30, failureThreshold: 3}",
        )
    unknown = sorted(set(value) - {"path", "intervalSeconds", "failureThreshold"})
    if unknown:
        raise ConfigError(
            key,
            value,
            f"unknown field(s) {', '.join(unknown)}",
            allowed,
            f"remove {', '.join(unknown)} from healthCheck",
        )
    defaults = HealthCheckSettings()
    path = value.get("path", defaults.path)
    interval = value.get("intervalSeconds", defaults.interval_seconds)
    threshold = value.get("failureThreshold", defaults.failure_threshold)
    if not isinstance(path, str) or not _HEALTH_PATH.match(path) or len(path) > 255:
        raise ConfigError(
            key,
            value,
            f"path {json.dumps(path)} is not an absolute URL path",
            allowed,
            "set healthCheck.path to the API's health route, /health",
        )
    normal = "/" + posixpath.normpath(path).lstrip("/")
    if normal != path:
        raise ConfigError(
            key,
            value,
            f"path {json.dumps(path)} is not normalised: load balancers, checkers and the "
            "function would not agree on it",
            allowed,
            f"set healthCheck.path to {json.dumps(normal)}",
        )
    if path == API_ROUTES_PREFIX or path.startswith(API_ROUTES_PREFIX + "/"):
        raise ConfigError(
            key,
            value,
            f"path {json.dumps(path)} is under the API's own {API_ROUTES_PREFIX} routes: "
            "the function refuses it at every cold start, in every region",
            allowed,
            "set healthCheck.path to a path outside /items, such as /health",
        )
    if isinstance(interval, bool) or interval not in HEALTH_INTERVALS:
        raise ConfigError(
            key,
            value,
            f"intervalSeconds {json.dumps(interval)} is not one Route 53 supports",
            allowed,
            "set healthCheck.intervalSeconds to 30 (standard) or 10 (fast, paid)",
        )
    low, high = HEALTH_THRESHOLD_RANGE
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not low <= threshold <= high:
        raise ConfigError(
            key,
            value,
            f"failureThreshold {json.dumps(threshold)} is out of range",
            allowed,
            f"set healthCheck.failureThreshold to a whole number from {low} to {high} (3 is the AWS default)",
        )
    return HealthCheckSettings(path=path, interval_seconds=interval, failure_threshold=threshold)


def _parse_bool(name: str, raw: Any) -> bool:
    if raw is _UNSET or raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise ConfigError(
        _key(name), raw, "must be a boolean", "true or false", f"pulumi config set {_key(name)} true  (or false)"
    )


def _parse_traffic_dials(raw: Any, regions: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    key = _key("trafficDials")
    allowed = (
        "a map {region: percent 0-100} over configured regions (Global Accelerator traffic dials; 100 when absent)"
    )
    if raw is _UNSET or raw is None:
        return ()
    value = _decode("trafficDials", raw, "a map {region: percent}", "{eu-west-1: 0}")
    if not isinstance(value, dict):
        raise ConfigError(key, value, "must be a map", allowed, "set trafficDials: {eu-west-1: 0} to drain eu-west-1")
    dials = []
    for region, dial in value.items():
        if region not in regions:
            raise ConfigError(
                key,
                value,
                f'"{region}" is not one of the configured regions',
                allowed,
                f'remove "{region}" from trafficDials, or add it to {_key("regions")}',
            )
        low, high = TRAFFIC_DIAL_RANGE
        if isinstance(dial, bool) or not isinstance(dial, int) or not low <= dial <= high:
            raise ConfigError(
                key,
                value,
                f'dial {json.dumps(dial)} for "{region}" is not a whole percent',
                allowed,
                f"set trafficDials.{region} to a number from 0 (drain) to 100 (full share)",
            )
        dials.append((region, dial))
    if all(dict(dials).get(region, 100) == 0 for region in regions):
        raise ConfigError(
            key,
            value,
            "every region's dial is 0: no region would take traffic",
            allowed,
            "leave at least one region above 0 (to stop serving, remove the front door instead)",
        )
    return tuple(sorted(dials))


def _parse_consistency(raw: Any, witness_raw: Any, regions: tuple[str, ...]) -> tuple[str, Optional[str]]:
    """tableConsistency and witnessRegion, checked against DynamoDB's MRSC rules (see catalogue.py)."""
    key, witness_key = _key("tableConsistency"), _key("witnessRegion")
    mode = "eventual" if raw is _UNSET or raw is None else raw
    if mode not in TABLE_CONSISTENCY_MODES:
        raise ConfigError(
            key,
            mode,
            "unknown table consistency",
            '"eventual" (default) or "strong" (DynamoDB MRSC)',
            f"pulumi config set {key} eventual  (or strong)",
        )
    witness = None if witness_raw is _UNSET or witness_raw is None else witness_raw
    sets = "; ".join(f"{name}: {', '.join(members)}" for name, members in MRSC_REGION_SETS.items())
    if mode == "eventual":
        if witness is not None:
            raise ConfigError(
                witness_key,
                witness,
                "a witness region only serves a strong (MRSC) table",
                "unset, unless tableConsistency is strong",
                f"pulumi config rm {witness_key}  (or set {key} strong)",
            )
        return mode, None
    outside = [r for r in regions if mrsc_set_of(r) is None]
    if outside or len({mrsc_set_of(r) for r in regions}) > 1:
        raise ConfigError(
            key,
            mode,
            f"regions {', '.join(regions)} are not all in one MRSC region set"
            + (f" ({', '.join(outside)} is in none)" if outside else ""),
            f"strong with three regions of one set ({sets})",
            f"pulumi config set {key} eventual, or choose regions from one set",
        )
    if witness is not None:
        if not isinstance(witness, str) or mrsc_set_of(witness) != mrsc_set_of(regions[0]) or witness in regions:
            raise ConfigError(
                witness_key,
                witness,
                "the witness must be a region of the same MRSC set as the "
                "regions, and not one of them (it holds no backend)",
                f"a region of the {mrsc_set_of(regions[0])} set other than {', '.join(regions)}",
                f"pulumi config set {witness_key} <region of the same set>",
            )
    if len(regions) + (witness is not None) != MRSC_REGION_COUNT or len(regions) < 2:
        have = f"{len(regions)} region(s)" + (" and a witness" if witness else "")
        raise ConfigError(
            key,
            mode,
            f"an MRSC table spans exactly {MRSC_REGION_COUNT} regions (three replicas, or two "
            f"and a witness); this stack has {have}",
            f"three regions, or two regions plus {witness_key}, of one set ({sets})",
            f"add or remove regions, set {witness_key} with two regions, or set {key} eventual",
        )
    return mode, witness


def _check_combinations(backend: str, front_door, domain) -> None:
    key = _key("frontDoor")
    strategies = [s for s, _ in front_door]
    for strategy in strategies:
        facts = DOORS[strategy]
        if backend not in facts.backends:
            others = [s for s, f in DOORS.items() if backend in f.backends]
            raise ConfigError(
                key,
                dict(front_door) if front_door[0][1] is not None else strategy,
                f'"{strategy}" cannot front the "{backend}" backend: {facts.why_backends}',
                "; ".join(f"{s} with backend {' or '.join(f.backends)}" for s, f in DOORS.items()),
                f"pulumi config set {_key('backend')} {facts.backends[0]}  (or choose {'/'.join(others)} as the front door)",
            )
    is_ab = front_door[0][1] is not None
    if domain is None:
        if is_ab:
            raise ConfigError(
                _key("domain"),
                _UNSET,
                "an A/B front door map needs a domain: the split is weighted Route 53 records on name.zone",
                "a map {zone, name} naming a public Route 53 hosted zone",
                "set domain: {zone: example.com, name: api} in Pulumi.<stack>.yaml, or use a single frontDoor",
            )
        for strategy in strategies:
            if DOORS[strategy].needs_domain:
                raise ConfigError(
                    _key("domain"),
                    _UNSET,
                    f'frontDoor "{strategy}" needs a domain: latency records live in its hosted zone',
                    "a map {zone, name} naming a public Route 53 hosted zone",
                    "set domain: {zone: example.com, name: api} in Pulumi.<stack>.yaml, or use frontDoor cloudfront/globalaccelerator",
                )


def parse_settings(
    raw: dict[str, Any], home_region: Any, project: str = "global-serverless", stack: str = "dev"
) -> Settings:
    """Validate raw config values (keys without the namespace) into Settings, or raise ConfigError."""
    unknown = sorted(set(raw) - set(KNOWN_KEYS))
    if unknown:
        first = unknown[0]
        near = difflib.get_close_matches(first, KNOWN_KEYS, n=1)
        raise ConfigError(
            _key(first),
            raw[first],
            "unknown config key",
            f"keys {', '.join(KNOWN_KEYS)} (and aws:region)",
            (f"rename it to {_key(near[0])}" if near else f"pulumi config rm {_key(first)}"),
        )
    regions = _parse_regions(raw.get("regions", _UNSET))
    home = _parse_home_region(home_region, regions)
    backend = _parse_backend(raw.get("backend", _UNSET))
    front_door = _parse_front_door(raw.get("frontDoor", _UNSET))
    domain = _parse_domain(raw.get("domain", _UNSET))
    _check_combinations(backend, front_door, domain)
    consistency, witness = _parse_consistency(
        raw.get("tableConsistency", _UNSET), raw.get("witnessRegion", _UNSET), regions
    )
    return Settings(
        project=project,
        stack=stack,
        home_region=home,
        regions=regions,
        backend=backend,
        front_door=front_door,
        domain=domain,
        health_check=_parse_health_check(raw.get("healthCheck", _UNSET)),
        deletion_protection=_parse_bool("deletionProtection", raw.get("deletionProtection", _UNSET)),
        traffic_dials=_parse_traffic_dials(raw.get("trafficDials", _UNSET), regions),
        table_consistency=consistency,
        witness_region=witness,
    )


def _namespace_values() -> dict[str, Any]:
    """Every `global-serverless:*` value the engine passed, so unknown keys can be refused."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    prefix = f"{NAMESPACE}:"
    return {k[len(prefix) :]: v for k, v in merged.items() if k.startswith(prefix)}


# The pulumi-aws provider's configuration keys (aws:<key>), for a warning on a misspelt one.
AWS_PROVIDER_KEYS = (
    "region",
    "profile",
    "accessKey",
    "secretKey",
    "token",
    "sharedCredentialsFiles",
    "sharedConfigFiles",
    "assumeRole",
    "assumeRoleWithWebIdentity",
    "defaultTags",
    "ignoreTags",
    "endpoints",
    "allowedAccountIds",
    "forbiddenAccountIds",
    "maxRetries",
    "retryMode",
    "skipCredentialsValidation",
    "skipMetadataApiCheck",
    "skipRegionValidation",
    "skipRequestingAccountId",
    "stsRegion",
    "useFipsEndpoint",
    "useDualstackEndpoint",
    "s3UsePathStyle",
    "insecure",
    "httpProxy",
    "httpsProxy",
    "noProxy",
    "customCaBundle",
    "ec2MetadataServiceEndpoint",
    "ec2MetadataServiceEndpointMode",
    "tokenBucketRateLimiterCapacity",
)


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


def load_settings() -> Settings:
    """Read and validate the running stack's config. Registers nothing."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    settings = parse_settings(
        _namespace_values(),
        runtime_config.get_config(HOME_REGION_KEY) or _UNSET,
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
    )
    every_key = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    for note in [*aws_key_warnings(every_key), *settings.warnings()]:
        pulumi.log.warn(note)
    return settings
