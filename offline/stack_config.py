"""Stack config as `pulumi up` would pass it: Pulumi.<stack>.yaml plus `key=value` overrides.

`--config` takes `pulumi config set` keys, with or without a `--path` (see apply_overrides).

Also the command-line plumbing the offline tools share (`python -m offline.plan|check|diff`): their
`--stack/--config/--json` options, errors as one line on stderr with exit 2, and the message for a
missing package. This module loads only the standard library (PyYAML once a stack file is read), so a
tool run outside the virtualenv can still say what is missing.
"""

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Optional, TextIO

from components.registry import NAMESPACE

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


# One step of a `pulumi config set --path` key: `.name`, `["quoted.name"]` or `[index]`.
_PATH_STEP = re.compile(r'\.([^.\[\]"]+)|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]')
_TOP = re.compile(r'([^.\[\]]+)|\["((?:[^"\\]|\\.)*)"\]')


def _unquote(text: str, key: str) -> str:
    try:
        return json.loads(f'"{text}"')
    except ValueError:
        raise StackConfigError(f"--config {key}: {text!r} is not a quoted name") from None


def parse_path(key: str) -> tuple[str, list[str | int]]:
    """`healthCheck.path` -> ("global-serverless:healthCheck", ["path"]); `regions[0]` -> (..., [0]); `a["b.c"]`.

    The config key (namespaced as `pulumi config set` would), then the steps inside its value."""
    example = '(e.g. healthCheck.path, trafficDials.eu-west-1, regions[0], domain["zone"])'
    top = _TOP.match(key)
    if top is None:
        raise StackConfigError(f"--config {key}: not a config path {example}")
    config_key = _full_key(top.group(1) if top.group(1) is not None else _unquote(top.group(2), key))
    steps: list[str | int] = []
    position = top.end()
    while position < len(key):
        step = _PATH_STEP.match(key, position)
        if step is None:
            raise StackConfigError(f"--config {key}: not a config path {example}")
        name, quoted, index = step.groups()
        steps.append(int(index) if index is not None else name if name is not None else _unquote(quoted, key))
        position = step.end()
    return config_key, steps


def _path_value(raw: str) -> Any:
    """A leaf set with `--path`: "true"/"false" are booleans and integers are numbers, as Pulumi stores them."""
    if raw in ("true", "false"):
        return raw == "true"
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    return raw


def _container(value: Any) -> Any:
    """A copy of the map or list a path is set in: YAML as written, or JSON text as `config set` stores it;
    None for a scalar."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return json.loads(json.dumps(value)) if isinstance(value, (dict, list)) else None


def _kind(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "map" if isinstance(value, dict) else "list"
    return {bool: "boolean", int: "number", float: "number", str: "string"}.get(type(value), type(value).__name__)


def _put(node: list[Any] | dict[str, Any], step: str | int, value: Any) -> None:
    if isinstance(node, list) and isinstance(step, int):
        if step == len(node):
            node.append(value)  # `regions[2]` on a 2-item list adds the third, as `pulumi config set --path` does
        else:
            node[step] = value
    elif isinstance(node, dict) and isinstance(step, str):
        node[step] = value
    else:  # _set_path checks each step against its node first
        raise TypeError(f"{step!r} is not a step into a {type(node).__name__}")


def _child(node: list[Any] | dict[str, Any], step: str | int) -> Any:
    if isinstance(node, list) and isinstance(step, int):
        return node[step]
    if isinstance(node, dict) and isinstance(step, str):
        return node[step]
    raise TypeError(f"{step!r} is not a step into a {type(node).__name__}")  # _set_path checks the steps first


def _remove(node: list[Any] | dict[str, Any], step: str | int) -> None:
    if isinstance(node, list) and isinstance(step, int):
        del node[step]
    elif isinstance(node, dict) and isinstance(step, str):
        del node[step]
    else:  # _set_path checks each step against its node first
        raise TypeError(f"{step!r} is not a step into a {type(node).__name__}")


def _set_path(config: dict[str, Any], key: str, rest: list[str | int], value: Any, shown: str) -> None:
    """Set (or, value None, remove) the steps `rest` inside config[key], making the maps and lists on the way."""
    where = str(key).split(":", 1)[-1]
    if key in config:
        node = _container(config[key])
        if node is None:
            raise StackConfigError(f"--config {shown}: {key} is a {_kind(config[key])}, not a map")
    elif value is None:
        return
    else:
        node = [] if isinstance(rest[0], int) else {}
    config[key] = node
    for position, step in enumerate(rest):
        if isinstance(step, int) and not isinstance(node, list):
            raise StackConfigError(f"--config {shown}: {where} is a {_kind(node)}, not a list")
        if isinstance(step, str) and not isinstance(node, dict):
            raise StackConfigError(f"--config {shown}: {where} is a {_kind(node)}, not a map")
        present = step < len(node) if isinstance(step, int) else step in node
        if isinstance(step, int) and step > len(node):
            raise StackConfigError(f"--config {shown}: {where}[{step}]: the list has {len(node)} items")
        if position == len(rest) - 1:
            if value is not None:
                _put(node, step, value)
            elif present:
                _remove(node, step)
            return
        if not present:
            if value is None:
                return
            child: Any = [] if isinstance(rest[position + 1], int) else {}
            _put(node, step, child)
        node = _child(node, step)
        where = f"{where}[{step}]" if isinstance(step, int) else f"{where}.{step}"


def read_stack_file(text: str, source: str) -> dict[str, Any]:
    """The `config:` map of a Pulumi.<stack>.yaml text, as written (full keys)."""
    import yaml  # here, so that the command-line tools can name a missing package instead of failing to load

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
    """`values` (full keys) with each `key=value` set; `key=null` removes the key, as `pulumi config rm` would.

    A key with a path (`healthCheck.path=/x`, `trafficDials.eu-west-1=0`, `regions[0]=us-east-1`,
    `domain["zone"]=example.com`) is set inside the key's map or list, as `pulumi config set --path` does:
    the rest of the stack file's map stays, "true"/"false" are booleans and integers numbers."""
    config = dict(values)
    for text in overrides:
        key, value = parse_override(text)
        name = text.split("=", 1)[0].strip()
        if "." not in name and "[" not in name:
            if value is None:
                config.pop(key, None)
            else:
                config[key] = value
            continue
        config_key, steps = parse_path(name)
        if not steps:
            config[config_key] = value
        else:
            _set_path(config, config_key, steps, None if value is None else _path_value(value), name)
    return config


EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# Import names whose distribution is called something else.
_PACKAGES = {"yaml": "PyYAML", "google": "protobuf"}


class _OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (`offline.diff: message (see --help)`) and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"{self.prog.split()[-1]}: {message} (see --help)\n")


def stack_arguments(
    prog: str, doc: str, config_help: str, stack_required: bool = False, json_help: Optional[str] = None
) -> argparse.ArgumentParser:
    """The `--stack S [--config k=v ...] [--json]` every offline CLI takes (values as `pulumi config set` stores
    them); `--help` shows `doc` whole (the JSON shape lives there)."""
    parser = _OneLineParser(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if stack_required:
        parser.add_argument("--stack", required=True, help="stack name (reads Pulumi.<stack>.yaml)")
    else:
        parser.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml; default: dev)")
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=config_help + "; repeatable; nested keys as `pulumi config set --path` takes them "
        "(healthCheck.path=/x, trafficDials.eu-west-1=0); KEY=null removes the key",
    )
    if json_help is not None:
        parser.add_argument("--json", action="store_true", help=json_help)
    return parser


def one_line(text: str) -> str:
    """A (possibly multi-line) message as one line: `problem; Allowed: ...; Fix: ...`."""
    return "; ".join(line.strip() for line in str(text).splitlines() if line.strip())


def fail(prog: str, message: Any, err: Optional[TextIO] = None) -> int:
    print(f"{prog}: {one_line(message)}", file=err or sys.stderr)
    return EXIT_ERROR


def missing_package(prog: str, error: ImportError, err: Optional[TextIO] = None) -> int:
    """What to do when a dependency does not import: the tool runs outside the virtualenv `make install` makes."""
    module = (error.name or str(error)).split(".")[0]
    package = _PACKAGES.get(module, module.replace("_", "-"))
    tool = prog.split(":")[0].split()[-1]  # "offline.check: stack prod" -> offline.check
    return fail(
        prog,
        f"the Python package {package!r} is not installed for {sys.executable} (import {module} failed): "
        f"run `make install`, then `.venv/bin/python -m {tool} ...` or `make {tool.rsplit('.', 1)[-1]}`",
        err,
    )


def guarded(
    prog: str, body: Callable[[], int], expected: tuple[type[Exception], ...], err: Optional[TextIO] = None
) -> int:
    """`body()`'s exit code; an expected error (bad config, bad file), a missing package or any other
    failure becomes one line on stderr and exit 2, never a traceback."""
    try:
        return body()
    except expected as error:
        return fail(prog, error, err)
    except ImportError as error:
        return missing_package(prog, error, err)
    except Exception as error:  # noqa: BLE001 the contract: one line, exit 2
        return fail(
            prog,
            f"unexpected {type(error).__name__}: {error} (a bug in the tool: please report it with the command line)",
            err,
        )
