"""Key names before values: a misspelt namespace, a key that is not ours, a nested key written as a key of its
own, an empty map. Also the warning for a misspelt `aws:` provider key."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from components.config.errors import NOT_READ, ConfigError, full_key
from components.config.fields import decode_json, help_of
from components.config.model import Settings
from components.config.render import with_facts
from components.registry import NAMESPACE

# The pulumi-aws provider's configuration keys (aws:<key>), for a warning on a misspelt one.
AWS_PROVIDER_KEYS = (
    "region", "profile", "accessKey", "secretKey", "token", "sharedCredentialsFiles", "sharedConfigFiles",
    "assumeRole", "assumeRoleWithWebIdentity", "defaultTags", "ignoreTags", "endpoints", "allowedAccountIds",
    "forbiddenAccountIds", "maxRetries", "retryMode", "skipCredentialsValidation", "skipMetadataApiCheck",
    "skipRegionValidation", "skipRequestingAccountId", "stsRegion", "useFipsEndpoint", "useDualstackEndpoint",
    "s3UsePathStyle", "insecure", "httpProxy", "httpsProxy", "noProxy", "customCaBundle",
    "ec2MetadataServiceEndpoint", "ec2MetadataServiceEndpointMode", "tokenBucketRateLimiterCapacity",
)  # fmt: skip


def key_help() -> dict[str, dict[str, Any]]:
    """Each `global-serverless:` key (its alias) -> its field's help."""
    return {
        field.alias or name: help_of(field)
        for name, field in Settings.model_fields.items()
        if not help_of(field).get("engine")
    }


def config_keys() -> tuple[str, ...]:
    """Every `global-serverless:` key a stack may set."""
    return tuple(key_help())


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])  # fmt: skip
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def check_keys(values: Mapping[str, Any], stack_config: Mapping[str, Any]) -> None:
    """Raise a ConfigError for the first key that is not what the program reads. `values` are decoded."""
    helps = key_help()
    keys = tuple(helps)
    for full in sorted(stack_config):
        namespace, _, name = full.partition(":")
        if not name or namespace == NAMESPACE or not _one_edit(namespace.lower(), NAMESPACE):
            continue
        head = re.split(r"[.\[]", name, maxsplit=1)[0]
        near = head if head in keys else next(iter(difflib.get_close_matches(head, keys, n=1)), None)
        raise ConfigError(
            full,
            NOT_READ,
            f'namespace "{namespace}" is not {NAMESPACE}: this program reads only {NAMESPACE}:* keys, so '
            f"{full} would be ignored",
            f"{NAMESPACE}:<key> for keys {', '.join(keys)} (and aws:region)",
            f"pulumi config rm '{full}' && pulumi config set {full_key(near or name)} <value>  "
            f"(or rename it to {full_key(near or name)} in Pulumi.<stack>.yaml)",
        )
    for name, value in values.items():
        if name in keys:
            continue
        head = re.split(r"[.\[]", name, maxsplit=1)[0]
        if head != name and head in keys:
            rest = name[len(head) :].lstrip(".")
            help, value = helps[head], decode_json(value, "always")[0]
            sample = json.dumps({rest: value}) if "[" not in rest and "." not in rest else help.get("example", "...")
            raise ConfigError(
                full_key(name),
                value,
                f'"{name}" is a nested key written as a key of its own: the program reads {full_key(head)} as '
                f"{help.get('shape', 'one value')}, so this value would be ignored",
                with_facts(help["allowed"]),
                f"pulumi config rm '{full_key(name)}' && pulumi config set --path '{full_key(name)}' <value>  (--path "
                f"writes it inside {head}); or in Pulumi.<stack>.yaml {head}: {sample}; with the offline tools: "
                f"--config '{head}={sample}'",
            )
        near = difflib.get_close_matches(name, keys, n=1)
        raise ConfigError(
            full_key(name),
            value,
            "unknown config key",
            f"keys {', '.join(keys)} (and aws:region)",
            f"rename it to {full_key(near[0])}" if near else f"pulumi config rm {full_key(name)}",
        )
    for name, help in helps.items():
        if str(help.get("shape", "")).startswith("a map") and values.get(name, None) == {}:
            empty = help.get("empty")
            raise ConfigError(
                full_key(name),
                {},
                "an empty map sets nothing" + (f": {empty}" if empty else ""),
                with_facts(help["allowed"]),
                f"pulumi config rm {full_key(name)} to leave it unset, or fill it in, e.g. {name}: {help['example']}",
            )


def aws_key_warnings(keys: Iterable[str]) -> list[str]:
    """A warning for each `aws:` key the provider does not know that looks like one it does."""
    notes = []
    for full in sorted(keys):
        if not full.startswith("aws:") or full[4:] in AWS_PROVIDER_KEYS:
            continue
        near = difflib.get_close_matches(full[4:], AWS_PROVIDER_KEYS, n=1, cutoff=0.7)
        if near:
            notes.append(
                f"stack config {full} is not an AWS provider setting; did you mean aws:{near[0]}? "
                f"Fix: pulumi config rm {full} && pulumi config set aws:{near[0]} <value>"
            )
    return notes
