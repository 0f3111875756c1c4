"""Settings for the program's own Python process."""

import gc

# The program allocates tens of thousands of long-lived objects (resources, outputs, futures) and then
# exits: the default thresholds collect the young generation every 700 allocations, and each older
# collection walks every object imports left behind (pulumi_aws alone is large) again and again:
# 39% of synthesis time at 16 regions in issue 13's profile.
YOUNG_GENERATION_THRESHOLD = 50_000
_frozen = False


def tune_garbage_collector() -> None:
    """Once per process: collect, then freeze what exists (imports), and collect the young generation less often.

    Cycles created afterwards are still collected. Only once, because tests and the offline tools run many
    programs in one process: freezing again would keep their garbage forever.
    """
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
    _frozen = True
