"""The origin secret check for entries that cannot check it themselves (the HTTP API behind CloudFront).

CloudFront adds `x-origin-verify: <secret>` to every origin request; with ORIGIN_SECRETS set (the
current secret, and the previous one while rotating) a request without one of them is answered 403
before any route runs. Without ORIGIN_SECRETS (any other door, or the update that moves a live stack
to CloudFront) every request is served.
"""

from __future__ import annotations

import hmac

from . import contract

REFUSAL = "forbidden: this endpoint serves requests through the stack's front door only"


class OriginGuard:
    def __init__(self, accepted: tuple[str, ...]) -> None:
        self._accepted = tuple(value.encode() for value in accepted)

    @property
    def enforcing(self) -> bool:
        return bool(self._accepted)

    def admits(self, presented: str | None) -> bool:
        if not self._accepted:
            return True
        if presented is None:
            return False
        given = presented.encode()
        # Every value is compared, so the time taken says nothing about which one nearly matched.
        matches = [hmac.compare_digest(given, value) for value in self._accepted]
        return any(matches)


HEADER = contract.ORIGIN_SECRET_HEADER
