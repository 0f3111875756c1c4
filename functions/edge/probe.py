"""The real health probe: one GET to a region's health URL, stdlib only."""

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Optional

USER_AGENT = "global-serverless-edge-health"


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is not a 200 from the origin we would route to (e.g. an HTTP->HTTPS listener).
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxies: an environment proxy must never sit between the edge and an origin's health path.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _RefuseRedirects())


def probe_health(url: str, timeout: float, headers: Optional[Mapping[str, str]] = None) -> Optional[bool]:
    """True on 200; False on any other answer or a connection error; None when nothing answered in time."""
    request = urllib.request.Request(url, method="GET", headers={**(headers or {}), "User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status == 200
    except urllib.error.HTTPError as error:
        error.close()
        return False
    except TimeoutError:
        return None
    except urllib.error.URLError as error:
        return None if isinstance(error.reason, TimeoutError) else False
    except (OSError, http.client.HTTPException, ValueError):
        return False
