"""Describe the machine a benchmark ran on (CPU model, cores, memory, library versions) in one markdown line."""

from __future__ import annotations

import os
import platform
import subprocess


def machine_description() -> str:
    """One line naming the CPU, core count, memory and the versions that matter for speed."""
    cpu = platform.processor() or "unknown CPU"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in lscpu.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kib = int(handle.readline().split()[1])
            memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import numpy
    versions = f"Python {platform.python_version()}, numpy {numpy.__version__}"
    try:
        import torch
        versions += f", torch {torch.__version__}"
    except ImportError:
        pass
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    return f"{cpu}, {os.cpu_count()} cores{memory}; {versions}; OMP_NUM_THREADS={threads}"
