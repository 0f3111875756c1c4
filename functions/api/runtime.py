"""Everything built once per execution environment: settings, AWS clients, resolvers.

Built on the first invocation rather than at import, so importing the package never needs an
environment or makes an AWS call. Tests and the integration harness use `reset_runtime()` (after
changing the environment) and `use_runtime(build_runtime(...))` (to inject a clock, sleep or
random source, or clients made once and shared between tests).
"""

from __future__ import annotations

import os
import random as _random
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import boto3
import boto3.session  # free: boto3 imports it itself; named so boto3.session.Session resolves
import botocore.session
from aws_lambda_powertools.event_handler import ALBResolver, APIGatewayHttpResolver
from botocore.config import Config

from . import contract
from .chaos import ChaosSource
from .idempotency import IdempotentWrites
from .items import ItemService
from .observability import metrics
from .routes import build_router
from .settings import FunctionSettings, load_settings
from .store import CLIENT_CONFIG, ItemStore

if TYPE_CHECKING:
    from .access.jwks import KeySource

# Service models cut down to the operations the function calls (offline/botocore_models.py): the
# chaos client then costs a few milliseconds of the cold start instead of ~60.
MODELS_DIR = Path(__file__).resolve().parent / "models"

# The chaos read sits in front of every request (cached); a slow SSM must not hold requests up.
CHAOS_CLIENT_CONFIG = Config(connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1})


class Runtime(NamedTuple):  # immutable; a NamedTuple costs the cold start less than a dataclass
    settings: FunctionSettings
    alb: ALBResolver
    http_api: APIGatewayHttpResolver
    chaos: ChaosSource
    writes: IdempotentWrites
    random: Callable[[], float]
    # Stamped on every response after x-served-by-region and x-request-id: the security headers, and HSTS when
    # the stack has a domain (worked out once per container rather than on every request).
    headers: tuple[tuple[str, str], ...] = ()


def build_runtime(
    environ: Mapping[str, str] | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    random: Callable[[], float] = _random.random,
    dynamodb_client=None,
    ssm_client=None,
    keys: KeySource | None = None,
) -> Runtime:
    settings = load_settings(environ)
    dynamodb, ssm = dynamodb_client, ssm_client
    if dynamodb is None or ssm is None:
        session = aws_session()
        if dynamodb is None:
            dynamodb = session.client("dynamodb", region_name=settings.region, config=CLIENT_CONFIG)
        if ssm is None:
            ssm = session.client("ssm", region_name=settings.region, config=CHAOS_CLIENT_CONFIG)

    service = ItemService(ItemStore(dynamodb, settings.table_name), settings.region)
    chaos = ChaosSource(ssm, settings.chaos_parameter_name, clock=clock)
    writes = IdempotentWrites(dynamodb, settings.table_name)
    # The issuer's keys are fetched on the first request that needs a token, not at cold start.
    authenticator = None
    if settings.auth:  # the token modules are imported only by stacks that ask for tokens
        from .access.auth import Authenticator

        authenticator = Authenticator(settings.auth, keys)
    # The origin secrets (behind CloudFront alone) are read with the chaos reader's SSM client and clock.
    router = build_router(settings, service, chaos, writes, sleep=sleep, random=random, authenticator=authenticator)

    alb = ALBResolver()
    alb.include_router(router)
    http_api = APIGatewayHttpResolver()
    http_api.include_router(router)
    headers = tuple(contract.SECURITY_HEADERS.items())
    if settings.strict_transport_security:
        headers += (("Strict-Transport-Security", settings.strict_transport_security),)
    return Runtime(
        settings=settings, alb=alb, http_api=http_api, chaos=chaos, writes=writes, random=random, headers=headers
    )


def aws_session() -> boto3.session.Session:
    """A session whose data path looks in MODELS_DIR first, then wherever AWS_DATA_PATH says."""
    core = botocore.session.get_session()
    configured = core.get_config_variable("data_path")
    core.set_config_variable("data_path", os.pathsep.join(filter(None, (str(MODELS_DIR), configured))))
    return boto3.session.Session(botocore_session=core)


_runtime: Runtime | None = None


def get_runtime() -> Runtime:
    if _runtime is not None:  # every request but a container's first: two global reads, as before
        return _runtime
    runtime = build_runtime()
    use_runtime(runtime)
    return runtime


def use_runtime(runtime: Runtime) -> None:
    global _runtime
    _runtime = runtime
    metrics.clear_default_dimensions()
    metrics.set_default_dimensions(**{contract.DIMENSION_REGION: runtime.settings.region})


def reset_runtime() -> None:
    """Forget the cached settings, clients and resolvers; the next invocation rebuilds them."""
    global _runtime
    _runtime = None
    metrics.clear_default_dimensions()
