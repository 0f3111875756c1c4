"""How program synthesis grows with regions: runs under mocks with 2, 4, 8, 16 regions in one process.

Prints seconds per run (median of round-robin runs), t16/t2 against issue 13's goal (<= 7), how much
the stack grew, the time per resource at 16 regions against 2 (about 1.0 when synthesis is linear in
what it builds), and the peak memory of a fresh process at 16 regions beside the imports alone. Every
region adds the same resources (about 51), and a fixed part (table, front door, topics) pulls t16/t2
below 8.
"""

import argparse
import datetime
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.registry import BACKENDS, DOORS  # noqa: E402
from offline.engine.run import run_program  # noqa: E402
from tests.components.helpers import ALL_REGIONS  # noqa: E402

REGIONS = ALL_REGIONS  # the 16 regions the component tests use, home first
# The stack with the most resources per region: the backend that builds its own network (the ALB's VPC),
# behind the door that health-checks every region (Route 53), as every earlier run of this benchmark.
BACKEND = next(b for b in BACKENDS if BACKENDS[b].private_network)
FRONT_DOOR = next(d for d in DOORS if DOORS[d].checks_entries)


def values(count: int) -> dict:
    return {
        "aws:region": REGIONS[0],
        "regions": REGIONS[:count],
        "backend": BACKEND,
        "frontDoor": FRONT_DOOR,
        "domain": {"zone": "example.com", "name": "api"},
    }


def time_run(count: int) -> tuple[float, int]:
    gc.collect()  # each run starts clean: the previous run's garbage is not charged to this one
    start = time.perf_counter()
    run = run_program("bench", values=values(count))
    return time.perf_counter() - start, len(run.resources)


MEMORY_GOAL_MIB = 200
# A full run (not --quick) records its figures here; `make docs` quotes them with their date.
RESULTS = Path(__file__).resolve().parent / "results" / "synth.json"

# Peak resident memory of a fresh process: the baseline imports what the program imports and builds
# nothing; the run synthesises the stack. Both print VmHWM from /proc (KiB): the high-water mark of the
# process's own memory. (ru_maxrss would not do: Linux carries it across exec from the forking parent.)
PEAK_RSS = """
import re, sys
sys.path.insert(0, {root!r})
from offline.engine.run import run_program
import bench.synth as synth
if {count}:
    run_program("bench", values=synth.values({count}))
print(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
"""


def peak_mib(count: int) -> float:
    root = str(Path(__file__).resolve().parent.parent)
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS.format(root=root, count=count)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "bench/synth.py").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one run per size (CI smoke)")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat

    time_run(2)  # warm-up: imports and provider schema
    counts = (2, 4, 8, 16)
    # Round-robin over the sizes, so a slow moment of the machine hits every size alike.
    samples: dict[int, list[tuple[float, int]]] = {count: [] for count in counts}
    for _ in range(repeat):
        for count in counts:
            samples[count].append(time_run(count))
    medians, sizes = {}, {}
    print(f"{'regions':>7} {'resources':>9} {'s/run':>8} {'ms/resource':>11}")
    for count in counts:
        seconds = statistics.median(s for s, _ in samples[count])
        resources = samples[count][0][1]
        medians[count], sizes[count] = seconds, resources
        print(f"{count:>7} {resources:>9} {seconds:>8.3f} {1000 * seconds / resources:>11.2f}")
    ratio = medians[16] / medians[2]
    grown = sizes[16] / sizes[2]
    per_resource = (medians[16] / sizes[16]) / (medians[2] / sizes[2])
    # Time per resource: flat when the program is linear in what it builds.
    print(
        f"\nt16/t2 = {ratio:.2f} for {grown:.1f}x the resources; per resource {per_resource:.2f}x "
        f"({'ok' if per_resource <= 1.25 else 'SUPERLINEAR'}: linear in resources is about 1.0); "
        f"goal t16/t2 <= 7: {'ok' if ratio <= 7 else 'MISSED'}"
    )
    imports, sixteen = peak_mib(0), peak_mib(16)
    print(
        f"peak memory: {sixteen:.0f} MiB at 16 regions, {imports:.0f} MiB for the imports alone "
        f"(goal <= {MEMORY_GOAL_MIB} MiB: {'ok' if sixteen <= MEMORY_GOAL_MIB else 'MISSED'})"
    )
    if not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        result = {
            "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
            "commit": subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=RESULTS.parent
            ).stdout.strip(),
            "cpus": os.cpu_count(),
            "repeat": repeat,
            "sizes": [{"regions": c, "resources": sizes[c], "seconds": round(medians[c], 3)} for c in counts],
            "t16_over_t2": round(ratio, 2),
            "resources_grown": round(grown, 2),
            "per_resource": round(per_resource, 2),
            "goal_t16_over_t2": 7,
            "peak_mib_16": round(sixteen),
            "peak_mib_imports": round(imports),
            "goal_peak_mib": MEMORY_GOAL_MIB,
        }
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {RESULTS.relative_to(RESULTS.parent.parent.parent)}")


if __name__ == "__main__":
    main()
