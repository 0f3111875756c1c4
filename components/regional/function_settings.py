"""Pure per-region settings of a backend: the same values in every region (region parity)."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from components.config import HealthCheckSettings, Settings
from components.registry import DOORS, doors_by_reach, served_port
from components.security.exposure import CLIENT
from functions.api import contract

FUNCTION_RUNTIME = "python3.12"
FUNCTION_ARCHITECTURE = "arm64"  # 20% cheaper per GB-s than x86_64; Powertools publishes both layers
FUNCTION_MEMORY_MB = 512
# Health checks on an ALB Lambda target group need an interval above the function timeout (10 s min).
FUNCTION_TIMEOUT_SECONDS = 6
LOG_RETENTION_DAYS = 30
VPC_CIDR = "10.40.0.0/16"
PUBLIC_SUBNET_CIDRS = ("10.40.0.0/24", "10.40.1.0/24")
HTTP_API_THROTTLE_RATE = 1000  # requests per second, steady
HTTP_API_THROTTLE_BURST = 500
# Alarm thresholds: one minute of 5xx, p99 latency near the timeout, any throttling.
ALARM_5XX_PER_MINUTE = 5
ALARM_P99_MS = 2000
ALARM_REPLICATION_MS = 10_000  # replication usually takes under a second; 10 s for 5 minutes is trouble

_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def powertools_version() -> str:
    """The Powertools version the function runs with: the one pin in pyproject.toml's `function` group."""
    groups = tomllib.loads(_PYPROJECT.read_text())["dependency-groups"]["function"]
    pins = [g.split("==", 1)[1] for g in groups if isinstance(g, str) and g.startswith("aws-lambda-powertools==")]
    if len(pins) != 1:
        raise RuntimeError("pyproject.toml's `function` group must pin aws-lambda-powertools==X.Y.Z once")
    return pins[0]


def powertools_layer_parameter(architecture: str = FUNCTION_ARCHITECTURE, runtime: str = FUNCTION_RUNTIME) -> str:
    """Public SSM parameter AWS publishes in every region with that region's Powertools layer ARN."""
    return f"/aws/service/powertools/python/{architecture}/{runtime}/{powertools_version()}"


def function_environment(settings: Settings, table_name: str, chaos_parameter: str) -> dict[str, str]:
    return {
        contract.ENV_TABLE_NAME: table_name,
        contract.ENV_CHAOS_PARAMETER: chaos_parameter,
        contract.ENV_HEALTH_PATH: settings.health_check.path,
        contract.ENV_SERVICE_NAME: contract.SERVICE_NAME,
        contract.ENV_METRICS_NAMESPACE: contract.METRICS_NAMESPACE,
        **contract.LOGGING_ENVIRONMENT,
        # With a domain every name the function answers on is HTTPS (no plaintext hop): browsers may pin it.
        **({contract.ENV_STRICT_TRANSPORT_SECURITY: contract.STRICT_TRANSPORT_SECURITY} if settings.domain else {}),
        **auth_environment(settings),
        **door_environment(settings),
    }


def door_environment(settings: Settings) -> dict[str, str]:
    """What the function needs to tell which door a request came through (functions/api/attribution.py)."""
    doors = settings.strategies
    environment = {contract.ENV_DOORS: ",".join(doors)}
    headers = [f"{DOORS[s].marks_requests_with}={s}" for s in doors if DOORS[s].marks_requests_with]
    public_port = served_port(settings.domain is not None)
    ports = [f"{DOORS[s].own_port(public_port)}={s}" for s in doors if DOORS[s].own_port(public_port)]
    clients = doors_by_reach(doors, CLIENT)
    if headers:
        environment[contract.ENV_DOOR_HEADERS] = ",".join(headers)
    if ports:
        environment[contract.ENV_DOOR_PORTS] = ",".join(ports)
    if clients:
        environment[contract.ENV_CLIENT_DOOR] = clients[0]
    if settings.hostnames is not None:
        environment[contract.ENV_DIRECT_HOSTS] = ",".join(settings.hostnames.regional[r] for r in settings.regions)
    return environment


def auth_environment(settings: Settings) -> dict[str, str]:
    """The function checks tokens itself behind every entry (behind an HTTP API as well as its JWT
    authorizer), so both backends give the same answers."""
    auth = settings.auth
    if auth is None:
        return {}
    return {
        contract.ENV_AUTH_ISSUER: auth.issuer,
        contract.ENV_AUTH_AUDIENCE: auth.audience,
        contract.ENV_AUTH_PROTECT_READS: "true" if auth.protect_reads else "false",
        contract.ENV_AUTH_SCOPES: " ".join(auth.scopes),
        # Only when configured: the function otherwise finds it in the issuer's OpenID configuration.
        **({contract.ENV_AUTH_JWKS_URL: auth.jwks_url} if auth.jwks_url else {}),
    }


@dataclass(frozen=True)
class TargetGroupHealth:
    path: str
    interval: int
    timeout: int
    healthy_threshold: int
    unhealthy_threshold: int
    matcher: str = "200"


def alb_target_group_health(health: HealthCheckSettings) -> TargetGroupHealth:
    """The ALB check that Global Accelerator also reads, aligned with `healthCheck`.

    ALB thresholds run 2-10, so a configured failureThreshold of 1 becomes 2.
    """
    interval = max(health.interval_seconds, FUNCTION_TIMEOUT_SECONDS + 1)
    return TargetGroupHealth(
        path=health.path,
        interval=interval,
        timeout=min(5, interval - 1),
        healthy_threshold=2,
        unhealthy_threshold=min(max(health.failure_threshold, 2), 10),
    )


def table_access_actions() -> tuple[str, ...]:
    """Exactly what the API function calls on its table (the function's own list): no wildcards."""
    return contract.FUNCTION_TABLE_ACTIONS
