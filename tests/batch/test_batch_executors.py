"""Executors: local worker processes (joblib/loky) and a Dask LocalCluster give the in-process numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.batch import BatchSettings, ResultStore, find_input, run_batch
from forecasting.batch.executors import DaskExecutor, LocalExecutor, make_executor
from forecasting.comparison import CompareConfig
from forecasting.errors import SettingsError

SETTINGS = BatchSettings(config=CompareConfig(models=("naive", "seasonal_naive", "drift"), horizon=6, memory=False))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "series"
    data.mkdir()
    rng = np.random.default_rng(0)
    for k in range(4):
        values = 10 + np.sin(np.arange(48) * 2 * np.pi / 12) + rng.normal(0, 0.2, 48).cumsum()
        pd.DataFrame({"value": values}).to_csv(data / f"s{k}.csv", index=False)
    return data


def _scores(folder: Path, root: Path, executor) -> pd.Series:
    store = ResultStore(root)
    try:
        progress = run_batch(find_input(str(folder)), SETTINGS, store, executor, chunk_size=1)
    finally:
        executor.close()
    assert (progress.done, progress.failed) == (4, 0)
    return store.read_results().set_index(["series_id", "model"])["mase"].sort_index()


def test_local_worker_processes_give_the_in_process_numbers(folder: Path, tmp_path: Path) -> None:
    here = _scores(folder, tmp_path / "here", make_executor(jobs=1))
    pd.testing.assert_series_equal(_scores(folder, tmp_path / "loky", LocalExecutor(2)), here)


def test_dask_local_cluster_gives_the_in_process_numbers(folder: Path, tmp_path: Path) -> None:
    here = _scores(folder, tmp_path / "here", make_executor(jobs=1))
    dask = DaskExecutor("local:1", processes=False)
    assert "local Dask cluster" in dask.describe()
    pd.testing.assert_series_equal(_scores(folder, tmp_path / "dask", dask), here)


def test_bad_executor_settings() -> None:
    with pytest.raises(SettingsError, match="at least 1"):
        make_executor(jobs=0)
    with pytest.raises(SettingsError, match="local:W"):
        make_executor(scheduler="local:x")


def test_local_cluster_workers_do_not_sample_stacks() -> None:
    """Dask's 10 ms stack profiler is off on the workers we start: it took CPU from the series."""
    executor = DaskExecutor("local:1", processes=False)
    try:
        profiling = executor._client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
    finally:
        executor.close()
    assert profiling and not any(profiling.values())
