"""The stack config contract, validated once by pydantic into one frozen model before any resource exists.

`Settings` (model.py) is the one model: each field is a `global-serverless:` key with its help on the field
(fields.py), the map keys are sections (sections.py, auth.py, release.py), the rules between keys are rules.py,
and pydantic's errors are worded from their type and the field's help (render.py). Every error is one
ConfigError naming the stack key, the value received, what is allowed and the fix. `parse_settings` is pure
(tests call it with plain dicts); `load_settings` reads the running stack's config (load.py).
"""

from components.config.auth import AuthSettings
from components.config.errors import ConfigError
from components.config.keys import aws_key_warnings, config_keys
from components.config.load import load_settings, parse_settings
from components.config.model import Settings
from components.config.release import ReleaseSettings
from components.config.sections import AlarmsSettings, DomainSettings, HealthCheckSettings, ProbesSettings, WafSettings

__all__ = [
    "AlarmsSettings",
    "AuthSettings",
    "ConfigError",
    "DomainSettings",
    "HealthCheckSettings",
    "ProbesSettings",
    "ReleaseSettings",
    "Settings",
    "WafSettings",
    "aws_key_warnings",
    "config_keys",
    "load_settings",
    "parse_settings",
]
