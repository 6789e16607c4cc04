"""Benchmark: the synthetic generator's memory stays flat and its time linear as N grows.

    .venv/bin/python tests/benchmarks/bench_generator.py [--sizes 100000 1000000 10000000]

Each size is generated once, in a fresh child process (so each peak is its
own), into a temporary folder. The first size is the reference; for every
size the benchmark prints the peak resident memory and the time per deal,
each as a ratio to the reference. Flat memory means a memory ratio near 1
however large N gets (per-partner tables grow with about one partner per
200 deals, so it creeps up slowly); linear time means a time-per-deal ratio
near 1. Nothing is asserted: the numbers are for a reader, measured on this
machine in this run, never against a stored baseline.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
from orchestration.generator import generate_landing
deals, out = int(sys.argv[1]), Path(sys.argv[2])
started = time.perf_counter()
generate_landing(out, deals=deals, seed=7, progress=False)
seconds = time.perf_counter() - started
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024}))
"""


def measure(deals: int) -> dict[str, float]:
    """Generate ``deals`` deals in a child process; its wall time and peak memory."""
    with tempfile.TemporaryDirectory(prefix="bench-generator-") as folder:
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(deals), str(Path(folder) / "landing")],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    sizes = parser.parse_args().sizes

    reference_size, *_ = sizes
    reference = measure(reference_size)
    print(f"{'deals':>12} {'seconds':>9} {'peak MiB':>9} {'memory x':>9} {'s/deal x':>9}")
    for size in sizes:
        run = reference if size == reference_size else measure(size)
        memory_ratio = run["peak_mib"] / reference["peak_mib"]
        time_ratio = (run["seconds"] / size) / (reference["seconds"] / reference_size)
        print(
            f"{size:>12,} {run['seconds']:>9.1f} {run['peak_mib']:>9.0f}"
            f" {memory_ratio:>9.2f} {time_ratio:>9.2f}"
        )


if __name__ == "__main__":
    main()
