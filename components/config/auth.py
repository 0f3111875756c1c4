"""auth: JWT bearer tokens on writes (and reads with protectReads), checked where AWS offers it and by the function."""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any, Optional

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError

from components.config.errors import problem
from components.config.fields import CliBool, helped
from components.config.sections import SECTION


class AuthSettings(BaseModel):
    """JWT bearer tokens on writes (and reads with protectReads): the issuer's https URL and the audience."""

    model_config = SECTION

    issuer: str
    audience: str
    protect_reads: CliBool = helped(False, allowed="true or false (default false): tokens on reads too")
    scopes: tuple[str, ...] = ()
    # The issuer's JSON Web Key Set URL: the ALB's jwt-validation action needs it at deploy time (the
    # function and API Gateway's authorizer find it from the issuer). Default: an Amazon Cognito user
    # pool's documented `<issuer>/.well-known/jwks.json`; any other issuer names it (jwks_uri in
    # <issuer>/.well-known/openid-configuration).
    jwks_url: Optional[str] = None

    @field_validator("jwks_url", mode="before")
    @classmethod
    def _jwks_url(cls, url: Any) -> Any:
        if isinstance(url, str) and (_has_space(url) or "@" in urllib.parse.urlsplit(url).netloc):
            raise problem(
                f"jwksUrl {json.dumps(_without_userinfo(url))} has whitespace or user:password@ in it: ELB would "
                "fetch a different URL, and credentials would sit in the stack's config",
                "the jwks_uri of the issuer's OpenID configuration, e.g. https://issuer.example/.well-known/jwks.json",
                f"set auth.jwksUrl to {json.dumps(_without_userinfo(url.strip()))}",
            )
        parsed = urllib.parse.urlsplit(url) if isinstance(url, str) else None
        if url is not None and (parsed is None or parsed.scheme != "https" or not parsed.hostname):
            raise problem(
                f"jwksUrl {json.dumps(url)} is not an https URL: keys must come over TLS (ELB takes nothing else)",
                "the jwks_uri of the issuer's OpenID configuration, e.g. https://issuer.example/.well-known/jwks.json",
                "set auth.jwksUrl to the jwks_uri that <issuer>/.well-known/openid-configuration names",
            )
        return url

    @property
    def key_set_url(self) -> Optional[str]:
        """jwksUrl, or the documented one of an Amazon Cognito user pool issuer; None when neither."""
        if self.jwks_url is not None:
            return self.jwks_url
        host = urllib.parse.urlsplit(self.issuer).hostname or ""
        if re.fullmatch(r"cognito-idp\.[a-z0-9-]+\.amazonaws\.com", host):
            return f"{self.issuer.rstrip('/')}/.well-known/jwks.json"
        return None

    @field_validator("issuer", mode="before")
    @classmethod
    def _issuer(cls, issuer: Any) -> str:
        """An https origin plus path, exactly as tokens carry it in `iss` (API Gateway, the ALB and the function
        compare it as text): no whitespace, credentials, query, fragment or discovery-document suffix."""
        allowed = (
            "the issuer URL exactly as tokens carry it in `iss`: https://host[/path], no user:password@, query, "
            "fragment or /.well-known/ suffix, e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>"
        )

        def refuse(text: str, fix: str) -> PydanticCustomError:
            return problem(text, allowed, fix)

        if not isinstance(issuer, str):
            raise refuse(
                f"issuer {json.dumps(issuer)} is not text: an https URL is needed",
                "set auth: {issuer: https://..., audience: <client id or API identifier>} in Pulumi.<stack>.yaml",
            )
        if _has_space(issuer):
            raise refuse(
                f"issuer {json.dumps(_without_userinfo(issuer))} has whitespace in it: no token's `iss` would match",
                f"set auth.issuer to {json.dumps(_without_userinfo(issuer.strip()))}",
            )
        try:
            parsed = urllib.parse.urlsplit(issuer)
            parsed.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            parsed = None
        if parsed is None or parsed.scheme != "https" or not parsed.hostname:
            raise refuse(
                f"issuer {json.dumps(_without_userinfo(issuer))} is not an https URL: tokens and keys must come "
                "over TLS (API Gateway's JWT authorizer accepts nothing else)",
                "set auth: {issuer: https://..., audience: <client id or API identifier>} in Pulumi.<stack>.yaml",
            )
        if "@" in parsed.netloc:
            raise refuse(
                "issuer has credentials (user:password@) in it: the issuer goes into the function's environment, "
                "its logs and every token check, and no token's `iss` carries them",
                f"set auth.issuer to {json.dumps(_without_userinfo(issuer))}, and change that password: it is in "
                "the stack's config history",
            )
        origin_path = urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, parsed.path, "", ""))
        if "?" in issuer or "#" in issuer:
            raise refuse(
                f"issuer {json.dumps(issuer)} has a query or fragment: an issuer is an origin and a path",
                f"set auth.issuer to {json.dumps(origin_path)}",
            )
        if "/.well-known/" in parsed.path + "/":
            base = origin_path[: origin_path.index("/.well-known")]
            raise refuse(
                f"issuer {json.dumps(issuer)} is the URL of a discovery document (/.well-known/...), not the "
                "issuer: tokens carry the part before /.well-known/ in `iss`",
                f"set auth.issuer to {json.dumps(base)} (the `issuer` field of {base}/.well-known/openid-configuration)"
                + ("; the key set URL goes in auth.jwksUrl" if "jwks" in parsed.path else ""),
            )
        return issuer

    @field_validator("audience", mode="before")
    @classmethod
    def _audience(cls, audience: Any) -> str:
        allowed = "the audience tokens carry in `aud` (a client id or API identifier): non-blank text"
        fix = "set auth.audience to the client id or API identifier the issuer puts in `aud`"
        if not isinstance(audience, str):
            raise problem(f"audience {json.dumps(audience)} is not text", allowed, fix)
        if not audience.strip():
            raise problem(f"audience {json.dumps(audience)} is blank: no token's `aud` would match it", allowed, fix)
        if audience != audience.strip():
            raise problem(
                f"audience {json.dumps(audience)} has leading or trailing whitespace: no token's `aud` would match it",
                allowed,
                f"set auth.audience to {json.dumps(audience.strip())}",
            )
        return audience

    @field_validator("scopes", mode="before")
    @classmethod
    def _scopes(cls, scopes: Any) -> Any:
        allowed = "a list of OAuth scope names, each non-blank with no spaces, e.g. [items/write]"
        if not isinstance(scopes, (list, tuple)):
            raise problem(
                f"scopes {json.dumps(scopes)} is not a list",
                allowed,
                f"set auth.scopes to a list, e.g. [{scopes}]" if isinstance(scopes, str) else "set auth.scopes: []",
            )
        for scope in scopes:
            if not isinstance(scope, str) or not scope.strip():
                raise problem(
                    f"scope {json.dumps(scope)} is blank or not text: a token would need a scope with no name",
                    allowed,
                    f"remove {json.dumps(scope)} from auth.scopes",
                )
            if not re.fullmatch(r"[!#-\[\]-~]+", scope):
                raise problem(
                    f"scope {json.dumps(scope)} has a space, quote or backslash: scopes are single tokens "
                    "(RFC 6749 section 3.3)",
                    allowed,
                    f"set the scope to {json.dumps(scope.split()[0] if scope.split() else scope)} (one name per entry)",
                )
        return scopes


def _has_space(text: str) -> bool:
    return any(c.isspace() for c in text)


def _without_userinfo(url: str) -> str:
    """The URL without any user:password@ (never echo credentials back)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
