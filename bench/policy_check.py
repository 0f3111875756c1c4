"""Benchmark the offline policy check against the plain mock run of the program it wraps.

    .venv/bin/python bench/policy_check.py [--stack prod] [--repeat 11]

Side by side in one run, `--repeat` times each, interleaved so machine noise hits both alike:
  (a) run:    offline.engine.run.run_program(stack) alone (the program under Pulumi mocks);
  (b) check:  offline.check.run_check(stack) (config parsing, the same run, every policy);
  (c) policies only: offline.engine.policy_engine.evaluate over one captured run (what the pack itself adds).
Prints medians and the ratios (policy overhead); never asserts on a figure.
"""

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from offline import pack_config, stack_facts  # noqa: E402
from offline.check import run_check  # noqa: E402
from offline.engine.policy_engine import evaluate  # noqa: E402
from offline.engine.run import run_program  # noqa: E402
from policies.catalog import ALL_POLICIES  # noqa: E402


def timed(fn) -> float:
    # Each call starts with no garbage left by the one before: otherwise a collection the check's
    # policies made due falls in whichever run comes next, and the ratio measures the order.
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()

    settings = stack_facts.stack_settings(args.stack)
    config = pack_config.resolved(settings)  # the stack's generated pack config, as the check uses it

    # Warm-up: imports and the first program run's one-off costs stay out of the figures.
    captured = run_program(args.stack)
    run_check(args.stack)

    runs, checks, policies_only = [], [], []
    for _ in range(args.repeat):
        runs.append(timed(lambda: run_program(args.stack)))
        checks.append(timed(lambda: run_check(args.stack)))
        policies_only.append(
            timed(lambda: evaluate(ALL_POLICIES, captured.resources, config, home_region=settings.home_region))
        )

    run_ms, check_ms, policy_ms = (statistics.median(xs) * 1000 for xs in (runs, checks, policies_only))
    print(
        f"stack {args.stack}: {len(captured.resources)} resources, {len(ALL_POLICIES)} policies, "
        f"{args.repeat} runs each (medians)"
    )
    print(f"  (a) program under mocks      {run_ms:8.1f} ms")
    print(
        f"  (b) full check (run + pack)  {check_ms:8.1f} ms   {check_ms / run_ms:5.2f}x the run "
        f"(+{check_ms - run_ms:.1f} ms)"
    )
    print(
        f"  (c) policies only            {policy_ms:8.1f} ms   {policy_ms / run_ms:5.2f}x the run "
        f"({policy_ms / len(ALL_POLICIES):.2f} ms per policy)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
