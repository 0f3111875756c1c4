"""The origin secret check for entries that cannot check it themselves (the HTTP API behind CloudFront).

CloudFront adds `x-origin-verify: <secret>` to every origin request. The values accepted are the SSM
SecureString parameters under ORIGIN_SECRET_PATH, one per secret version (components/security/origin_secret.py): a
value is accepted while its parameter exists, and the Pulumi update deletes a version's parameter only
at its end, after the distribution stopped sending it. The function lists the path with
GetParametersByPath (WithDecryption) and keeps the values for ORIGIN_SECRET_CACHE_SECONDS; a request
presenting a value the cache lacks triggers one early refresh (the next version may just have been
created), at most once per ORIGIN_SECRET_REFRESH_SECONDS, so a flood of wrong values costs at most one SSM
call per interval per container. Failed reads are retried at most as often.

Answers: the value matches -> served; no value, a wrong one, or one that is not valid text -> 403; SSM
cannot be read and nothing was ever read -> 503 with Retry-After (the outcome is unknown; never 403, never
served); SSM cannot be read but values were read before -> those values decide (stale beats unknown).
The comparison is constant-time over every value, so the time taken says nothing about which one nearly
matched.

Hostnames that bypass the check by construction (ORIGIN_OPEN_HOSTS, matched against the HTTP API event's
requestContext.domainName, lowercase): API Gateway routes a custom domain name to this API only while
that DomainName and its ApiMapping exist, and the program creates the main-name and door-name domains
only while a door that sends clients directly (route53) exists. When an update removes that door, those
domains are deleted at the end of the update, after the records that pointed clients at them, so the old
door's clients are served until their names are gone; no lock state is kept. Every other name (the
regional name CloudFront connects to, the execute-api name) needs the secret. ALB events carry no
domainName: they always need it.

ORIGIN_SECRETS (a JSON list of values, the previous release's way) is still accepted for one release: a
function whose code is updated before its configuration still checks the values it was given, and those
values are accepted beside the SSM ones. Without either variable every request is served.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from enum import Enum

from botocore.exceptions import BotoCoreError, ClientError

from .. import contract
from ..observability import logger

REFUSAL = "forbidden: this endpoint serves requests through the stack's front door only"
UNAVAILABLE = "the origin secret cannot be checked right now: retry shortly"
HEADER = contract.ORIGIN_SECRET_HEADER


class Verdict(Enum):
    SERVE = "serve"
    REFUSE = "refuse"  # 403
    UNKNOWN = "unknown"  # 503 + Retry-After: the accepted values cannot be read


class SecretsUnavailable(RuntimeError):
    """The accepted values could not be read (and none were read before)."""


class AcceptedSecrets:
    """The values under one SSM path, cached; `clock` is injectable so tests move time instead of sleeping."""

    def __init__(
        self,
        ssm_client,
        path: str,
        *,
        ttl_seconds: float = contract.ORIGIN_SECRET_CACHE_SECONDS,
        refresh_seconds: float = contract.ORIGIN_SECRET_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ssm = ssm_client
        self._path = path
        self._ttl_seconds = ttl_seconds
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._values: tuple[bytes, ...] | None = None  # None: never read
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._reported_problem: str | None = None

    def current(self) -> tuple[bytes, ...]:
        """The accepted values, re-read once they are older than the cache interval."""
        now = self._clock()
        if self._fetched_at is None or now - self._fetched_at >= self._ttl_seconds:
            self._attempt(now)
        if self._values is None:
            raise SecretsUnavailable(self._reported_problem or "not read yet")
        return self._values

    def refresh_early(self) -> bool:
        """Re-read now for a value the cache lacks; False when rate-limited or the read failed."""
        return self._attempt(self._clock())

    def _attempt(self, now: float) -> bool:
        if self._attempted_at is not None and now - self._attempted_at < self._refresh_seconds:
            return False
        self._attempted_at = now
        try:
            values = self._fetch()
        except ClientError as error:
            self._report(f"cannot list {self._path}: {error.response.get('Error', {}).get('Code', 'Unknown')}")
            return False
        except BotoCoreError as error:
            self._report(f"cannot reach SSM for {self._path}: {type(error).__name__}")
            return False
        except AttributeError:  # a client built from a service model without GetParametersByPath
            self._report(f"the SSM client cannot call GetParametersByPath for {self._path}")
            return False
        if not values:
            # Never a deployed state (the current version's parameter exists before the function is told
            # the path): treat it as unreadable rather than refuse everyone.
            self._report(f"no parameters under {self._path}")
            return False
        self._values = values
        self._fetched_at = now
        if self._reported_problem is not None:
            logger.info("origin secrets readable again", extra={"origin_secret_count": len(values)})
            self._reported_problem = None
        return True

    def _fetch(self) -> tuple[bytes, ...]:
        values: list[bytes] = []
        request = {"Path": self._path, "Recursive": False, "WithDecryption": True}
        while True:
            page = self._ssm.get_parameters_by_path(**request)
            values.extend(p["Value"].encode() for p in page.get("Parameters", ()) if p.get("Value"))
            token = page.get("NextToken")
            if not token:
                return tuple(values)
            request["NextToken"] = token

    def _report(self, problem: str) -> None:
        if problem != self._reported_problem:
            kept = "keeping the values read before" if self._values is not None else "answering 503"
            logger.warning(f"origin secrets: {problem}; {kept}")
            self._reported_problem = problem


class OriginGuard:
    def __init__(
        self,
        accepted: tuple[str, ...] = (),
        *,
        source: AcceptedSecrets | None = None,
        open_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self._static = tuple(value.encode() for value in accepted)
        self._source = source
        self._open_hosts = frozenset(host.lower() for host in open_hosts)

    @property
    def enforcing(self) -> bool:
        return bool(self._static) or self._source is not None

    def check(self, presented: str | None, domain_name: str | None = None) -> Verdict:
        if not self.enforcing:
            return Verdict.SERVE
        if domain_name is not None and domain_name.lower() in self._open_hosts:
            return Verdict.SERVE
        if presented is None:
            return Verdict.REFUSE
        try:
            given = presented.encode()
        except UnicodeEncodeError:  # e.g. a lone surrogate: no accepted value looks like that
            return Verdict.REFUSE
        if _matches(given, self._static):
            return Verdict.SERVE
        if self._source is None:
            return Verdict.REFUSE
        try:
            known = self._source.current()
        except SecretsUnavailable:
            return Verdict.UNKNOWN
        if _matches(given, known):
            return Verdict.SERVE
        # Perhaps the next version's parameter appeared since the last read: look once (rate-limited).
        if self._source.refresh_early() and _matches(given, self._source.current()):
            return Verdict.SERVE
        return Verdict.REFUSE

    def admits(self, presented: str | None, domain_name: str | None = None) -> bool:
        return self.check(presented, domain_name) is Verdict.SERVE


def _matches(given: bytes, accepted: tuple[bytes, ...]) -> bool:
    # Every value is compared, so the time taken says nothing about which one nearly matched.
    matches = [hmac.compare_digest(given, value) for value in accepted]
    return any(matches)


def build_guard(settings, ssm_client, *, clock: Callable[[], float] = time.monotonic) -> OriginGuard:
    """The guard the settings ask for; `ssm_client` is the container's (made once, at cold start)."""
    source = (
        AcceptedSecrets(ssm_client, settings.origin_secret_path, clock=clock) if settings.origin_secret_path else None
    )
    return OriginGuard(settings.origin_secrets, source=source, open_hosts=settings.origin_open_hosts)


def request_domain_name(event: dict) -> str | None:
    """The custom or execute-api name an HTTP API (payload 2.0) request arrived on; None for other events."""
    context = event.get("requestContext")
    if not isinstance(context, dict) or event.get("version") != "2.0":
        return None
    name = context.get("domainName")
    return name if isinstance(name, str) else None
