"""Run every benchmark script and merge their sections into ``benchmarks/RESULTS.md``.

Run: ``OMP_NUM_THREADS=1 python benchmarks/run_all.py`` (about 10-20 minutes on 2 cores). Each
``bench_*.py`` writes its own ``results_*.md``; this script only orders and concatenates them.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("esn", "rnn", "accuracy", "costs", "memory", "loading", "dashboard")


def main() -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    skip = set(sys.argv[1:])  # e.g. `run_all.py dashboard` reuses the existing dashboard section
    for name in ORDER:
        script = HERE / f"bench_{name}.py"
        if script.exists() and name not in skip:
            print(f"== {script.name}", flush=True)
            subprocess.run([sys.executable, str(script)], check=True, env=env, cwd=HERE.parent)
    sections = [(HERE / f"results_{name}.md") for name in ORDER]
    body = "\n\n".join(p.read_text(encoding="utf-8").strip() for p in sections if p.exists())
    header = ("# Benchmark results\n\nWritten by `OMP_NUM_THREADS=1 python benchmarks/run_all.py` on "
              f"{dt.date.today().isoformat()}. Each section names its machine and command; these machines are "
              "shared and noisy, so figures are medians of several runs and ratios are measured within one run.\n")
    (HERE / "RESULTS.md").write_text(header + "\n" + body + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
