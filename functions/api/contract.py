"""The one definition of what the program, the API function and the tests agree on.

Stdlib only: the Pulumi program imports it to declare the table and the function's environment,
the function imports it at cold start, and the tests import it to build tables and events.
"""

# DynamoDB table schema (the global table and every replica).
TABLE_HASH_KEY = "id"
TABLE_HASH_KEY_TYPE = "S"
TTL_ATTRIBUTE = "expiresAt"

# The Lambda package: functions/api is zipped as the package `api`, so the handler path is:
PACKAGE_NAME = "api"
HANDLER = "api.handler.handler"

# Environment variables the program sets and the function validates once at cold start.
ENV_TABLE_NAME = "TABLE_NAME"
ENV_CHAOS_PARAMETER = "CHAOS_PARAMETER_NAME"
ENV_HEALTH_PATH = "HEALTH_PATH"
# JWT bearer tokens (set by the program from the stack's `auth`): issuer and audience switch it on.
ENV_AUTH_ISSUER = "AUTH_ISSUER"
ENV_AUTH_AUDIENCE = "AUTH_AUDIENCE"
ENV_AUTH_PROTECT_READS = "AUTH_PROTECT_READS"  # "true" | "false"
ENV_AUTH_SCOPES = "AUTH_SCOPES"  # space-separated scopes every protected request needs
ENV_AUTH_JWKS_URL = "AUTH_JWKS_URL"  # optional; default: jwks_uri from the issuer's OpenID configuration
# Which front door a request came through (the function's per-door metrics, functions/api/attribution.py),
# from each door's facts (components/registry.py): a door that marks what it routes with a header, a door
# that reaches the entry on a listener port of its own (X-Forwarded-Port), the door whose clients connect to
# the entries themselves; the regional names are direct traffic.
ENV_DOOR_HEADERS = "FRONT_DOOR_HEADERS"  # comma-separated <lower-case header>=<door>
ENV_DOOR_PORTS = "FRONT_DOOR_PORTS"  # comma-separated <port>=<door>
ENV_CLIENT_DOOR = "FRONT_DOOR_CLIENTS"  # the door whose clients reach the entries by DNS
ENV_DIRECT_HOSTS = "FRONT_DOOR_DIRECT_HOSTS"  # comma-separated <region>.<name> hostnames
ENV_DOORS = "FRONT_DOORS"  # comma-separated strategies of the stack
# JSON list of the origin secrets CloudFront may send (set only while the entries are locked to it).
ENV_ORIGIN_SECRETS = "ORIGIN_SECRETS"
ORIGIN_SECRET_HEADER = "x-origin-verify"
# The SSM path whose SecureString parameters are the accepted origin secrets, one per version
# (components/security/origin_secret.py): a value is accepted while its parameter exists. Read with
# GetParametersByPath through a cache, refreshed early (rate-limited) on a value the cache lacks.
ENV_ORIGIN_SECRET_PATH = "ORIGIN_SECRET_PATH"
ORIGIN_SECRET_CACHE_SECONDS = 60.0
ORIGIN_SECRET_REFRESH_SECONDS = 5.0  # at most one early refresh (or retry after a failure) per interval
FUNCTION_ORIGIN_SECRET_ACTIONS = ("ssm:GetParametersByPath",)
# Comma-separated hostnames served without the secret (API Gateway requestContext.domainName, lowercase):
# the custom domains that exist only while a door sends clients to them directly.
ENV_ORIGIN_OPEN_HOSTS = "ORIGIN_OPEN_HOSTS"
ENV_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
ENV_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
# Set by the Lambda runtime itself; the function reports it in `x-served-by-region`.
ENV_REGION = "AWS_REGION"

# Every request is counted in metrics; its "request served" line is logged for every 4xx/5xx and for
# a sample of successes: the line costs about a third of the handler's own time on a warm request.
# (Not Powertools' POWERTOOLS_LOGGER_SAMPLE_RATE: it re-levels the logger on every invocation, and
# Logger.setLevel clears the cache of every logger in the process, botocore's included.)
ENV_REQUEST_LOG_SAMPLE_RATE = "REQUEST_LOG_SAMPLE_RATE"
DEFAULT_REQUEST_LOG_SAMPLE_RATE = 0.1
LOGGING_ENVIRONMENT = {
    "POWERTOOLS_LOG_LEVEL": "INFO",
    ENV_REQUEST_LOG_SAMPLE_RATE: str(DEFAULT_REQUEST_LOG_SAMPLE_RATE),
}

# Security response headers: nosniff on every answer; HSTS (the program sets it when the stack has a
# domain, so every name it answers on is HTTPS) from this variable's value.
ENV_STRICT_TRANSPORT_SECURITY = "STRICT_TRANSPORT_SECURITY"
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}

# Who needs a token when the stack sets `auth`: every method that writes, and with protectReads every request
# but the health check. The one definition: the function checks it (auth.py), the entries check the item
# routes' share of it themselves (HTTP API JWT routes, ALB jwt-validation rules), the pack reads it
# (components/registry.py pack_facts).
ITEM_ROUTE_METHODS = ("GET", "PUT", "DELETE")  # what the item routes serve (routes.py)
WRITE_METHODS = ("PUT", "DELETE", "POST", "PATCH")


def needs_token(method: str, protect_reads: bool) -> bool:
    """Whether a request with this method (not the health check) needs a token."""
    return protect_reads or method.upper() in WRITE_METHODS


def item_token_methods(protect_reads: bool) -> tuple[str, ...]:
    """The item routes' methods that need a token: what an entry checks itself."""
    ordered = (*WRITE_METHODS, *ITEM_ROUTE_METHODS)  # PUT, DELETE, then GET: the order entries always had
    return tuple(dict.fromkeys(m for m in ordered if m in ITEM_ROUTE_METHODS and needs_token(m, protect_reads)))


DEFAULT_HEALTH_PATH = "/health"  # functions/edge/contract.py keeps an equal copy (the router ships alone)
ITEMS_PATH = "/items"  # the item routes: <ITEMS_PATH>/{id}; the health path may not lie under it
SERVED_BY_HEADER = "x-served-by-region"
REQUEST_ID_HEADER = "x-request-id"
SERVICE_NAME = "global-serverless-api"
METRICS_NAMESPACE = "GlobalServerless"

# Metrics: ONE EMF document per request (functions/api/observability.py), namespace METRICS_NAMESPACE. An EMF
# document's dimension sets apply to every metric in it, so each metric below is published under both sets:
# per region, and per front door in each region. Each (metric, dimension set, values) is a custom metric.
METRIC_REQUESTS = "Requests"  # 1 per request
METRIC_LATENCY = "Latency"  # ms in the handler, per request (was DoorLatency, per door only)
STATUS_CLASSES = (2, 3, 4, 5)


def status_metric(status: int) -> str:
    """The count a response adds 1 to: Status2xx, Status3xx, Status4xx or Status5xx."""
    return f"Status{status // 100}xx"


METRIC_STATUS_5XX = status_metric(500)
STATUS_METRICS = tuple(status_metric(c * 100) for c in STATUS_CLASSES)
REQUEST_METRICS = (METRIC_REQUESTS, *STATUS_METRICS, METRIC_LATENCY)  # what one request can publish
DIMENSION_REGION = "region"  # the function's region (a default dimension, set at cold start)
DIMENSION_SERVICE = "service"  # SERVICE_NAME (Powertools adds it to the first set)
DIMENSION_FRONT_DOOR = "frontDoor"  # a stack strategy, or DIRECT_DOOR (functions/api/attribution.py)
DIRECT_DOOR = "direct"  # a request that came through no front door (a regional name, or no route53 door)
REGION_DIMENSIONS = (DIMENSION_REGION, DIMENSION_SERVICE)
DOOR_DIMENSIONS = (DIMENSION_FRONT_DOOR, DIMENSION_REGION, DIMENSION_SERVICE)
DIMENSION_SETS = (REGION_DIMENSIONS, DOOR_DIMENSIONS)
# Powertools' own cold-start count: a document of its own, once per execution environment (not per request),
# with the dimensions function_name and service.
METRIC_COLD_START = "ColdStart"

# Request limits, part of the HTTP contract (400 beyond them).
MAX_BODY_BYTES = 64 * 1024
MAX_ID_LENGTH = 128
ID_PATTERN = r"^[A-Za-z0-9._~-]{1,128}$"

# The chaos parameter's value when nothing is injected.
CHAOS_NONE = '{"mode": "none"}'
CHAOS_MODES = ("none", "latency", "error", "down")

# JSON bodies nested deeper than this are refused with 400 (DynamoDB's own map nesting limit).
MAX_JSON_DEPTH = 32

# How long the function caches the chaos parameter: a changed mode takes effect within this.
CHAOS_CACHE_SECONDS = 5.0

# The only actions the function performs, for the least-privilege role:
# on the region's table replica, and on the region's chaos parameter.
# PutItem and DeleteItem are the Idempotency-Key records' (Powertools' persistence layer).
FUNCTION_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem")
FUNCTION_CHAOS_ACTIONS = ("ssm:GetParameter",)
# The function ships botocore models cut down to the operations it is allowed (offline/botocore_models.py).
# What the function calls on SSM: the chaos read, and the origin secrets' listing (behind CloudFront alone).
FUNCTION_SSM_ACTIONS = (*FUNCTION_CHAOS_ACTIONS, *FUNCTION_ORIGIN_SECRET_ACTIONS)
TRIMMED_SERVICE_OPERATIONS = {"ssm": tuple(action.split(":", 1)[1] for action in FUNCTION_SSM_ACTIONS)}

# A deleted item leaves a tombstone (so versions never restart and a stale If-Match can never
# match a re-created item); the tombstone expires through the table's TTL after this long.
TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600
