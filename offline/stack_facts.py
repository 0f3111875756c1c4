"""What the stack-level policies need to know about the stack's config, in pack-config terms.

CrossGuard runs a pack without access to the program's stack config, so the configured regions, home
region and front doors are pack config properties (`expectedRegions`, `homeRegion`,
`expectedFrontDoors`, ...). offline/pack_config.py turns these facts and levels into the stack's pack
config, generated from Pulumi.<stack>.yaml (plus --config overrides) with the program's own parser for
`make preview/up` and `offline.check` alike; nobody keeps one by hand.
"""

from collections.abc import Iterable
from typing import Any, Optional

from components.config import Settings, parse_settings
from components.registry import HOME_REGION_KEY, NAMESPACE
from offline.stack_config import load_stack_config

EXPECTED_REGIONS = "expectedRegions"
HOME_REGION = "homeRegion"
EXPECTED_FRONT_DOORS = "expectedFrontDoors"
WAF_RATE_LIMIT = "wafRateLimit"
AUTH_ISSUER = "authIssuer"
MIN_REGIONS = "minRegions"


def stack_settings(stack: str, overrides: Iterable[str] = (), values: Optional[dict] = None) -> Settings:
    """The stack's Settings, parsed exactly as the program parses them (raises ConfigError)."""
    config = load_stack_config(stack, overrides, values)
    prefix = f"{NAMESPACE}:"
    raw = {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}
    # The whole map too: a key under a misspelt namespace is an error, as at deploy.
    return parse_settings(raw, config.get(HOME_REGION_KEY), stack=stack, stack_config=config)


def facts(settings: Settings) -> dict[str, Any]:
    return {
        EXPECTED_REGIONS: list(settings.regions),
        HOME_REGION: settings.home_region,
        EXPECTED_FRONT_DOORS: sorted(settings.strategies),
        WAF_RATE_LIMIT: settings.waf.rate_limit if settings.waf else 0,
        AUTH_ISSUER: settings.auth.issuer if settings.auth else "",
        MIN_REGIONS: settings.min_regions,
    }


# Policies whose level follows the stack config: the stack accepted what they flag, so they advise.
ACCEPTED_BY_CONFIG = {
    "no-plaintext-hop": "allowPlaintext: true",
    "table-deletion-protection": "deletionProtection: false",
}


def levels(settings: Settings) -> dict[str, str]:
    """Enforcement levels the stack config implies (the rest keep the pack's default)."""
    accepted = {
        "no-plaintext-hop": settings.allow_plaintext,
        "table-deletion-protection": not settings.deletion_protection,
    }
    return {policy: "advisory" for policy in ACCEPTED_BY_CONFIG if accepted[policy]}
