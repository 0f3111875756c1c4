"""parse_settings (pure: tests call it with plain dicts) and load_settings (the running stack's config)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from pydantic import ValidationError

from components.config.errors import UNSET, ConfigError, full_key
from components.config.fields import decode_json
from components.config.keys import aws_key_warnings, check_keys, key_help
from components.config.model import Settings
from components.config.render import render
from components.registry import HOME_REGION_KEY, NAMESPACE, PROJECT


def parse_settings(
    raw: Mapping[str, Any],
    home_region: Any,
    project: str = PROJECT,
    stack: str = "dev",
    stack_config: Optional[Mapping[str, Any]] = None,
) -> Settings:
    """Validate raw config values (keys without the namespace) into Settings, or raise ConfigError.

    `stack_config`, the stack's whole config (full keys, every namespace) when the caller has it, lets a
    key in a misspelt namespace (`global-serveless:backend`) be refused rather than silently ignored."""
    helps = key_help()
    values = {k: v for k, v in raw.items() if v is not None}
    # Structured keys arrive as JSON text (the engine's form) or decoded (tests, YAML read by the offline tools).
    modes = {k: helps[k]["json"] for k in values if "json" in helps.get(k, {})}
    shown = {k: decode_json(v, modes[k])[0] if k in modes else v for k, v in values.items()}
    check_keys(shown, stack_config or {})
    for name, mode in modes.items():
        if not decode_json(values[name], mode)[1]:
            shape, example = helps[name]["shape"], helps[name]["example"]
            raise ConfigError(
                full_key(name),
                values[name],
                f"not valid JSON for {shape}",
                shape,
                f"pulumi config set --path '{full_key(name)}' ... or write it in Pulumi.<stack>.yaml as {example}",
            )
    home = None if home_region is UNSET or home_region in (None, "") else home_region
    try:
        return Settings.model_validate({**shown, "project": project, "stack": stack, "homeRegion": home})
    except ValidationError as invalid:
        raise render(dict(invalid.errors()[0]), {**shown, "homeRegion": UNSET if home is None else home}) from None


def _namespace_values() -> dict[str, Any]:
    """Every `global-serverless:*` value the engine passed, so unknown keys can be refused."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    prefix = f"{NAMESPACE}:"
    return {k[len(prefix) :]: v for k, v in merged.items() if k.startswith(prefix)}


def load_settings() -> Settings:
    """Read and validate the running stack's config. Registers nothing."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    every_key = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    settings = parse_settings(
        _namespace_values(),
        runtime_config.get_config(HOME_REGION_KEY),
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
        stack_config=every_key,
    )
    for note in [*aws_key_warnings(every_key), *settings.warnings()]:
        pulumi.log.warn(note)
    return settings
