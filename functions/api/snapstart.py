"""Lambda SnapStart runtime hooks (Lambda developer guide: "Lambda SnapStart runtime hooks for Python",
"Handling uniqueness with Lambda SnapStart").

With SnapStart on (stack config `snapStart`), Lambda runs the function's initialization once, when it publishes a
version, snapshots the environment and resumes every new execution environment of that version from the snapshot.
Whatever initialization left in memory is then shared by all of them:
- the `random` module's state, seeded once at import: every restored environment would draw the same retry
  jitter and sample the same requests for the log. Reseeded from os.urandom after each restore.
- the runtime (runtime.py), where it was built before the snapshot: AWS clients holding the credentials of the
  initialization and connections that do not survive a restore, and the chaos and origin-secret caches stamped
  with the initialization's clock. Forgotten after each restore: the first request builds them again.

The hooks register with snapshot_restore_py, which Lambda's Python managed runtimes include (and call only when
SnapStart is on). Where it is absent (tests, local runs) importing this module registers nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Optional

from . import runtime


def after_restore() -> None:
    """Run in each execution environment resumed from the snapshot, before its first request."""
    random.seed()  # from os.urandom: each restored environment draws its own sequence
    runtime.reset_runtime()


def register(registrar: Optional[Callable[[Callable[[], None]], object]]) -> bool:
    """Registers the hooks with snapshot_restore_py's register_after_restore; False when there is none."""
    if registrar is None:
        return False
    registrar(after_restore)
    return True


try:
    # Only Lambda's Python runtimes ship snapshot_restore_py: it is not installed here to type-check against.
    from snapshot_restore_py import register_after_restore as _register_after_restore  # pyright: ignore[reportMissingImports]
except ImportError:  # not a Lambda Python runtime
    _register_after_restore = None

REGISTERED = register(_register_after_restore)
