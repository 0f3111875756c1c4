"""What the stack-level policies need to know about the stack's config, in pack-config terms.

CrossGuard runs a pack without access to the program's stack config, so the configured regions, home
region and front doors are pack config properties (`expectedRegions`, `homeRegion`,
`expectedFrontDoors`) written into policies/config.<stack>.json. The offline checker computes the same
values from Pulumi.<stack>.yaml (plus --config overrides) with the program's own parser, and a test keeps
the JSON files equal to what this module derives.
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
    }


def stale_facts(file_config: dict, derived: dict[str, Any]) -> list[tuple[str, str, Any, Any]]:
    """(policy, property, pack config value, stack config value) for each pack config property that
    disagrees with what the stack config says (the real pack would use the pack config's)."""
    return [
        (policy, key, entry[key], value)
        for policy, entry in sorted(file_config.items())
        if isinstance(entry, dict)
        for key, value in derived.items()
        if key in entry and entry[key] != value
    ]


# Policies whose level follows a stack config key: the stack accepted what they flag.
ACCEPTED_BY_CONFIG = {"no-plaintext-hop": "allowPlaintext"}


def levels(settings: Settings) -> dict[str, str]:
    """Enforcement levels the stack config implies (policies/config.<stack>.json must say the same)."""
    accepted = {"allowPlaintext": settings.allow_plaintext}
    return {policy: "advisory" for policy, key in ACCEPTED_BY_CONFIG.items() if accepted[key]}
