"""Shared test setup: one thread for BLAS/OpenMP/torch (small models on 2 busy cores are far faster so)."""

from __future__ import annotations

import os

import pytest

for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """AppTest runs share Streamlit's caches within one process: start every test from empty ones."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
