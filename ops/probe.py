"""One health probe from where the operator runs: status, answering region and latency, never an exception."""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from functions.api import contract

USER_AGENT = "global-serverless-gameday"


@dataclass(frozen=True)
class ProbeResult:
    status: int | None  # None: no answer (timeout, refused, TLS or DNS failure)
    region: str | None  # the answering region (x-served-by-region), when the function answered
    latency_ms: float
    error: str = ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def probe(url: str, timeout: float, clock=time.perf_counter) -> ProbeResult:
    started = clock()
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status, region = response.status, response.headers.get(contract.SERVED_BY_HEADER)
            response.read(64 * 1024)
    except urllib.error.HTTPError as error:
        status, region = error.code, error.headers.get(contract.SERVED_BY_HEADER)
        error.close()
    except (OSError, http.client.HTTPException, ValueError) as error:
        reason = getattr(error, "reason", error)
        return ProbeResult(None, None, (clock() - started) * 1000, type(reason).__name__)
    return ProbeResult(status, region, (clock() - started) * 1000)
