"""Keep the resources an earlier version of the program registers, so upgrades can be replayed.

    git worktree add /tmp/v1 <commit>
    .venv/bin/python tests/lifecycle/snapshot.py --root /tmp/v1 --stack prod --out tests/lifecycle/snapshots/v1-prod.json

The earlier version runs from its own checkout under its own offline runner; URNs are made the way
the engine makes them (that runner's mock monitor shortened parent type chains), and inputs are
normalised by this checkout's offline/engine/lifecycle.py.
"""

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, help="checkout of the earlier version")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--config", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    out = Path(args.out).resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)

    import pulumi
    from pulumi.runtime import mocks as runtime_mocks

    from offline.engine import run as old_run  # the earlier version's runner

    def engine_urn(self, parent, type_, name):
        prefix = ""
        if parent and parent.split("::")[2] != "pulumi:pulumi:Stack":
            prefix = parent.split("::")[2] + "$"
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{prefix}{type_}::{name}"

    runtime_mocks.MockMonitor.make_urn = engine_urn
    spec = importlib.util.spec_from_file_location("current_lifecycle", HERE / "offline" / "lifecycle.py")
    lifecycle = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = lifecycle
    spec.loader.exec_module(lifecycle)
    run = old_run.run_program(args.stack, overrides=args.config)
    out.write_text(json.dumps(lifecycle.snapshot_of(run), indent=1, sort_keys=True) + "\n")
    print(f"{len(run.resources)} resources -> {out}")


if __name__ == "__main__":
    main()
