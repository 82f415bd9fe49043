"""Shared test setup: one thread for BLAS/OpenMP/torch (small models on 2 busy cores are far faster so)."""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
