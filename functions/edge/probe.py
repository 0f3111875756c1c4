"""The real health probe: one GET to a region's health URL, stdlib only.

A probe through the distribution can be answered by something other than the region asked for: a
mis-route, or CloudFront's own error page (which a distribution may serve with any status). So when the
caller names the region it expects, a 200 counts only when the answer's `x-served-by-region` header (the
API sets it on every response, functions/api/contract.py) names that region.
"""

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Optional

from .contract import SERVED_BY_HEADER

USER_AGENT = "global-serverless-edge-health"


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is not a 200 from the origin we would route to (e.g. an HTTP->HTTPS listener).
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxies: an environment proxy must never sit between the edge and an origin's health path.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _RefuseRedirects())


def probe_health(
    url: str, timeout: float, headers: Optional[Mapping[str, str]] = None, expect_region: Optional[str] = None
) -> Optional[bool]:
    """True on 200 (served by `expect_region` when given); False on any other answer or a connection error;
    None when nothing answered in time."""
    request = urllib.request.Request(url, method="GET", headers={**(headers or {}), "User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            if response.status != 200:
                return False
            if expect_region is None:
                return True
            served_by = response.headers.get(SERVED_BY_HEADER)
            return served_by is not None and served_by.strip().lower() == expect_region
    except urllib.error.HTTPError as error:
        error.close()
        return False
    except TimeoutError:
        return None
    except urllib.error.URLError as error:
        return None if isinstance(error.reason, TimeoutError) else False
    except (OSError, http.client.HTTPException, ValueError):
        return False
