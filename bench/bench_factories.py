"""How fast the master-data factories build rows in memory (build(), no database).

Run by hand:  python bench/bench_factories.py [--members 10000] [--staff 1000] [--repeat 3]
Prints rows/second per factory (best of the repeats) and the ratio to the
seeder's target of 10,000 members/second.
"""
import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitness.settings")

import django  # noqa: E402

django.setup()

from equipment.factories import EquipmentFactory  # noqa: E402
from facilities.factories import FacilityAreaFactory, FacilityFactory  # noqa: E402
from members.factories import MemberFactory  # noqa: E402
from staff.factories import StaffFactory  # noqa: E402

MEMBER_TARGET_PER_SECOND = 10_000


def best_rate(factory_class, count: int, repeat: int, seed: int = 1) -> float:
    """Rows per second of `build_batch(count)` from a source seeded with `seed` (as the seeder passes its
    own), best of `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        rng = random.Random(seed)
        started = time.perf_counter()
        rows = factory_class.build_batch(count, rng=rng)
        best = min(best, time.perf_counter() - started)
        assert len(rows) == count
    return count / best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--staff", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args(argv)
    runs = [
        ("MemberFactory", MemberFactory, options.members),
        ("StaffFactory", StaffFactory, options.staff),
        ("FacilityFactory", FacilityFactory, 1_000),
        ("FacilityAreaFactory (with its facility)", FacilityAreaFactory, 1_000),
        ("EquipmentFactory (with facility and area)", EquipmentFactory, 1_000),
    ]
    print(f"build_batch speed, best of {options.repeat} (a freshly seeded source for each run)")
    for label, factory_class, count in runs:
        rate = best_rate(factory_class, count, options.repeat)
        print(f"  {label:<45} {count:>7,} rows  {rate:>10,.0f} rows/s")
        if factory_class is MemberFactory:
            print(f"  {'':<45} {'':>7}       {rate / MEMBER_TARGET_PER_SECOND:>10.2f} x the 10,000/s target")


if __name__ == "__main__":
    main()
