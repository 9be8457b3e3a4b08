"""Run every benchmark of the project, one after the other (``make bench``).

Each script prints its own figures as ratios against a baseline measured in the same run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_registry.py",
    "bench_health.py",
    "bench_inventory.py",
    "bench_demo.py",
    "bench_survey.py",
    "bench_monitor.py",
    "bench_fidelity.py",
]


def main() -> int:
    failed = 0
    for name in SCRIPTS:
        print(f"\n=== {name} ===", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / name)]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
