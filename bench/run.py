"""`make bench`: run every bench/bench_*.py in turn and print what each reports.

Each benchmark measures our code against a baseline in the same run and prints ratios,
because absolute times drift on shared machines. A benchmark exits non-zero when it misses
its target; this runner reports every result and fails if any missed.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    only = set(sys.argv[1:])
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if only and script.stem not in only:
            continue
        print(f"\n=== {script.stem} ===", flush=True)
        code = subprocess.run(
            [sys.executable, str(script)], cwd=HERE.parent, check=False
        ).returncode
        if code:
            failed.append(script.stem)
    if failed:
        print(f"\nmissed target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
