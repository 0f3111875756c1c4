"""The function's environment, read and validated once at cold start."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from . import contract
from .attribution import DoorSettings, door_settings

_REQUIRED = {
    contract.ENV_REGION: "the region this copy runs in (set by the Lambda runtime)",
    contract.ENV_TABLE_NAME: "the DynamoDB global table name (set by the Pulumi program)",
    contract.ENV_CHAOS_PARAMETER: "the SSM parameter holding this region's chaos mode (set by the Pulumi program)",
}


@dataclass(frozen=True)
class TokenSettings:
    issuer: str
    audience: str
    protect_reads: bool = False
    scopes: tuple[str, ...] = ()
    jwks_url: str | None = None  # default: the issuer's OpenID configuration names it


class SettingsError(RuntimeError):
    """The environment is missing or has a bad value; the message names the variable."""


@dataclass(frozen=True)
class FunctionSettings:
    region: str
    table_name: str
    chaos_parameter_name: str
    health_path: str
    request_log_sample_rate: float = contract.DEFAULT_REQUEST_LOG_SAMPLE_RATE
    origin_secrets: tuple[str, ...] = ()  # the previous release's fixed list (ORIGIN_SECRETS), kept for one release
    origin_secret_path: str = ""  # SSM path of the accepted values; with origin_secrets empty too, all are served
    origin_open_hosts: frozenset[str] = frozenset()  # names served without the secret (lowercase)
    strict_transport_security: str = ""  # the HSTS header's value, or "" for none
    auth: TokenSettings | None = None  # None: no token is asked for
    doors: DoorSettings = DoorSettings()


def load_settings(environ: Mapping[str, str] | None = None) -> FunctionSettings:
    env = os.environ if environ is None else environ
    missing = [name for name in _REQUIRED if not env.get(name, "").strip()]
    if missing:
        details = "; ".join(f"{name} ({_REQUIRED[name]})" for name in missing)
        raise SettingsError(f"missing required environment variable(s): {details}")

    health_path = env.get(contract.ENV_HEALTH_PATH, "").strip() or contract.DEFAULT_HEALTH_PATH
    items = contract.ITEMS_PATH
    if not health_path.startswith("/") or health_path.startswith(f"{items}/") or health_path == items:
        raise SettingsError(
            f"{contract.ENV_HEALTH_PATH}={health_path!r} is invalid: it must start with '/' and must not be"
            f" under {items} (default {contract.DEFAULT_HEALTH_PATH})"
        )

    return FunctionSettings(
        request_log_sample_rate=_sample_rate(env),
        origin_secrets=_origin_secrets(env),
        origin_secret_path=_origin_secret_path(env),
        origin_open_hosts=_origin_open_hosts(env),
        strict_transport_security=env.get(contract.ENV_STRICT_TRANSPORT_SECURITY, "").strip(),
        auth=_auth(env),
        doors=_doors(env),
        region=env[contract.ENV_REGION].strip(),
        table_name=env[contract.ENV_TABLE_NAME].strip(),
        chaos_parameter_name=env[contract.ENV_CHAOS_PARAMETER].strip(),
        health_path=health_path,
    )


def _sample_rate(env: Mapping[str, str]) -> float:
    name = contract.ENV_REQUEST_LOG_SAMPLE_RATE
    raw = env.get(name, "").strip()
    if not raw:
        return contract.DEFAULT_REQUEST_LOG_SAMPLE_RATE
    try:
        rate = float(raw)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise SettingsError(
            f"{name}={raw!r} is invalid: it must be a number from 0 (log only failures) to 1 (log every request)"
            f" (default {contract.DEFAULT_REQUEST_LOG_SAMPLE_RATE})"
        )
    return rate


def _origin_secrets(env: Mapping[str, str]) -> tuple[str, ...]:
    name = contract.ENV_ORIGIN_SECRETS
    raw = env.get(name, "").strip()
    if not raw:
        return ()
    try:
        values = json.loads(raw)
    except ValueError:
        values = None
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        # The value itself is a secret: never repeat it in a message.
        raise SettingsError(
            f"{name} is invalid: it must be a JSON list of non-empty strings (set by the Pulumi program)"
        )
    return tuple(values)


# An SSM path: "/" then levels of letters, digits, _ . - separated by "/"; no trailing "/".
_SSM_PATH = re.compile(r"^(/[A-Za-z0-9_.-]+)+$")
_SSM_MAX_DEPTH = 15
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


def _origin_secret_path(env: Mapping[str, str]) -> str:
    name = contract.ENV_ORIGIN_SECRET_PATH
    raw = env.get(name, "").strip()
    if not raw:
        return ""
    first = raw.lstrip("/").split("/", 1)[0].lower()
    if not _SSM_PATH.match(raw) or raw.count("/") > _SSM_MAX_DEPTH or first.startswith(("aws", "ssm")):
        raise SettingsError(
            f"{name}={raw!r} is invalid: an SSM parameter path such as /global-serverless/<stack>/origin-secret"
            f" (levels of letters, digits, _ . -; at most {_SSM_MAX_DEPTH}; no trailing '/'; not under /aws or /ssm)"
            " (set by the Pulumi program)"
        )
    return raw


def _origin_open_hosts(env: Mapping[str, str]) -> frozenset[str]:
    name = contract.ENV_ORIGIN_OPEN_HOSTS
    hosts = [h.strip().lower() for h in env.get(name, "").split(",") if h.strip()]
    bad = [h for h in hosts if not _HOSTNAME.match(h)]
    if bad:
        raise SettingsError(
            f"{name} is invalid: {', '.join(repr(h) for h in bad)} is not a hostname; it must be a comma-separated"
            " list of hostnames without scheme, port or path (set by the Pulumi program)"
        )
    return frozenset(hosts)


def _auth(env: Mapping[str, str]) -> TokenSettings | None:
    issuer = env.get(contract.ENV_AUTH_ISSUER, "").strip()
    audience = env.get(contract.ENV_AUTH_AUDIENCE, "").strip()
    if not issuer and not audience:
        return None
    if not issuer or not audience:
        raise SettingsError(
            f"{contract.ENV_AUTH_ISSUER} and {contract.ENV_AUTH_AUDIENCE} go together: set both (auth on) or neither"
        )
    protect_reads = env.get(contract.ENV_AUTH_PROTECT_READS, "false").strip().lower()
    if protect_reads not in ("true", "false"):
        raise SettingsError(f"{contract.ENV_AUTH_PROTECT_READS}={protect_reads!r} is invalid: true or false")
    return TokenSettings(
        issuer=issuer,
        audience=audience,
        protect_reads=protect_reads == "true",
        scopes=tuple(env.get(contract.ENV_AUTH_SCOPES, "").split()),
        jwks_url=env.get(contract.ENV_AUTH_JWKS_URL, "").strip() or None,
    )


def _doors(env: Mapping[str, str]) -> DoorSettings:
    try:
        return door_settings(env)
    except ValueError as error:
        raise SettingsError(str(error)) from None
