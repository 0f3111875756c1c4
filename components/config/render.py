"""pydantic's errors as ConfigErrors: the stack key from the error's location, the words from its type and the field's
help (fields.py). No key is named here: a new key is worded by its own field."""

from __future__ import annotations

import json
import typing
from functools import cache
from typing import Any, Optional

from pydantic import BaseModel

from components.config.errors import UNSET, ConfigError, full_key
from components.config.fields import cli_int, help_of
from components.config.model import Settings
from components.registry import BACKENDS, DOORS

_BOUNDS = (("ge", "the lowest allowed is"), ("gt", "it must be above"), ("le", "the highest allowed is"),
           ("lt", "it must be below"))  # fmt: skip


def with_facts(text: str) -> str:
    """Help text with the registry's doors and backends filled in."""
    return text.replace("$doors", ", ".join(DOORS)).replace("$backends", " or ".join(f'"{b}"' for b in BACKENDS))


@cache
def _fields(model: type[BaseModel]) -> dict[str, tuple[Any, Optional[type[BaseModel]]]]:
    """alias -> (field, the section model it holds, if any)."""
    return {(f.alias or name): (f, _section(f.annotation)) for name, f in model.model_fields.items()}


def _section(annotation: Any) -> Optional[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _section(arg)
        if found is not None:
            return found
    return None


def stack_key(alias: str) -> str:
    """The stack key a Settings field is set by."""
    field = _fields(Settings).get(alias)
    return (help_of(field[0]).get("key") if field else None) or full_key(alias)


def alias_of(key: str) -> str:
    """The Settings alias behind a stack key (the inverse of stack_key)."""
    return next((alias for alias in _fields(Settings) if stack_key(alias) == key), key.split(":", 1)[-1])


def _dotted(parts: list[str]) -> str:
    """auth.scopes[0] from ["auth", "scopes", "0"]."""
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def _generic(kind: str, given: Any, ctx: dict) -> str:
    """What a refused value is, for pydantic's error type, without pydantic's words or a Python type name."""
    if kind.startswith(("greater_than", "less_than")):
        bound = next((f" ({word} {ctx[k]})" for k, word in _BOUNDS if k in ctx), "")
        return f"is out of range{bound}"
    if kind.startswith(("int_", "float_")):
        return "is not a whole number (write it without quotes or a decimal point)"
    if kind.startswith("bool_"):
        return "must be a boolean, true or false"
    if kind == "string_type":
        return "is not text"
    if kind.startswith("string_"):
        return "is not text of the allowed form"
    if kind in ("tuple_type", "list_type"):
        return "is not a list"
    if kind == "too_short":
        return "is empty" if not given else "has too few entries"
    if kind == "too_long":
        return "has too many entries"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "is not a map"
    if kind in ("literal_error", "enum"):
        return "is not one of the allowed values"
    return "is not allowed here"


def render(error: dict, shown: dict[str, Any]) -> ConfigError:
    """One pydantic error of Settings as a ConfigError; `shown` maps each alias to the value as the stack set it."""
    loc = [str(part) for part in error["loc"]]
    ctx = error.get("ctx") or {}
    alias = loc[0] if loc else ""
    field, section = _fields(Settings).get(alias, (None, None))
    top = help_of(field) if field is not None else {"allowed": "", "fix": ""}
    if error["type"] == "stack_config":
        key = ctx.get("key") or stack_key(alias)
        return ConfigError(key, shown.get(alias_of(key), UNSET), ctx["problem"], ctx["allowed"], ctx["fix"])
    key = stack_key(alias)
    value = shown.get(alias, UNSET)
    allowed, fix = with_facts(top["allowed"]), with_facts(top["fix"])
    kind, given, path = error["type"], error.get("input"), loc[1:]
    # A number as the CLI stored it ("-1") is shown as the number its range refused.
    text = json.dumps(cli_int(given) if kind.startswith(("greater_than", "less_than")) else given, default=str)
    nested = _fields(section).get(path[0], (None, None))[0] if section is not None and path else None
    inner = help_of(nested) if nested is not None else {}
    name = _dotted(path) if section is not None and path else _dotted(loc)
    if top.get("item") and len(path) == 1 and section is None:
        problem = f'{top["item"]} {text} for "{path[0]}" {top["item_refused"]}'
        fix = top["item_fix"].replace("$item", path[0])
    elif kind == "missing":
        problem = (top.get("missing") or f"{alias} is not set") if not path else f"{name} is missing"
    elif kind == "extra_forbidden":
        problem, fix = f"unknown field(s) {path[-1]}", f"remove {path[-1]} from {alias}"
    elif kind == "too_short" and not given and top.get("empty") and not path:
        problem = f"the list is empty: {top['empty']}"
    else:
        refused = inner.get("refused") if path else top.get("refused")
        problem = f"{name} {text} {refused or _generic(kind, given, ctx)}"
    if inner.get("allowed") and kind != "extra_forbidden":
        fix = f"set {alias}.{name} to {inner['allowed']}"
    return ConfigError(key, value, problem, allowed, fix)
