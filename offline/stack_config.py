"""Stack config as `pulumi up` would pass it: Pulumi.<stack>.yaml plus `key=value` overrides."""

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from components.catalogue import NAMESPACE

ROOT = Path(__file__).resolve().parent.parent


class StackConfigError(ValueError):
    pass


def stack_file(stack: str) -> Path:
    return ROOT / f"Pulumi.{stack}.yaml"


def _engine_value(value: Any) -> str:
    """The engine hands programs strings; structured values arrive as JSON text."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _full_key(key: str) -> str:
    return key if ":" in key else f"{NAMESPACE}:{key}"


def parse_override(text: str) -> tuple[str, Any]:
    """`key=value` as `pulumi config set key value` stores it: the value is a string, handed to the
    program verbatim (maps and lists as JSON text, which the program parses); `key=null` removes the key."""
    if "=" not in text:
        raise StackConfigError(f"--config takes key=value, got {text!r} (e.g. --config 'regions=[\"us-east-1\"]')")
    key, raw = text.split("=", 1)
    return _full_key(key.strip()), None if raw.strip() == "null" else raw


def read_stack_file(text: str, source: str) -> dict[str, Any]:
    """The `config:` map of a Pulumi.<stack>.yaml text, as written (full keys)."""
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise StackConfigError(f"{source} is not valid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(document, dict) or not isinstance(document.get("config", {}) or {}, dict):
        raise StackConfigError(f"{source} has no config: map (a Pulumi stack file starts with `config:`)")
    return dict(document.get("config") or {})


def stack_values(stack: str) -> dict[str, Any]:
    path = stack_file(stack)
    if not path.exists():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))
        raise StackConfigError(f"no stack file {path.name}; stacks here: {', '.join(known)}")
    return read_stack_file(path.read_text(), path.name)


def load_stack_config(stack: str, overrides: Iterable[str] = (), values: dict | None = None) -> dict[str, str]:
    """Full-key config map for `stack`; `values` (full or short keys) replace the file entirely."""
    if values is None:
        values = stack_values(stack)
    config = apply_overrides({_full_key(k): v for k, v in values.items()}, overrides)
    return {key: _engine_value(value) for key, value in config.items()}


def apply_overrides(values: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """`values` (full keys) with each `key=value` set; `key=null` removes the key, as `pulumi config rm` would."""
    config = dict(values)
    for text in overrides:
        key, value = parse_override(text)
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def stack_arguments(prog: str, doc: str, config_help: str, stack_required: bool = False) -> argparse.ArgumentParser:
    """The `--stack S [--config k=v ...]` every offline CLI takes (values as `pulumi config set` stores them)."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0])
    if stack_required:
        parser.add_argument("--stack", required=True, help="stack name (reads Pulumi.<stack>.yaml)")
    else:
        parser.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml)")
    parser.add_argument("--config", action="append", default=[], metavar="KEY=VALUE", help=config_help)
    return parser
