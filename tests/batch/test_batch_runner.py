"""The batch runner: same numbers as ``compare`` alone, resume, failures recorded, inputs, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.batch import BatchSettings, ResultStore, find_input, run_batch
from forecasting.batch.inputs import LongColumns, SeriesTask, input_from_table, read_manifest
from forecasting.batch.runner import Executor, plan_chunks, tail_chunk_size
from forecasting.cli import main
from forecasting.comparison import CompareConfig, compare
from forecasting.errors import InputError, SettingsError
from forecasting.loading import load_series

CHEAP = ("esn", "naive", "seasonal_naive")
CONFIG = CompareConfig(models=CHEAP, params={"esn": {"units": 20}}, memory=False)


def _series(seed: int, n: int = 72) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 20 + (seed + 1) * np.sin(2 * np.pi * t / 12) + 0.1 * t + rng.normal(0, 0.3, n)
    return pd.DataFrame({"month": pd.date_range("2001-01-01", periods=n, freq="MS"), "value": values})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "series"
    data.mkdir()
    for seed in range(3):
        _series(seed).to_csv(data / f"s{seed}.csv", index=False)
    return data


class CountingExecutor(Executor):
    """This process, counting the series it is handed (to see what a resumed run skips)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def map_chunks(self, chunks, settings, should_stop=None):
        def counted():
            for chunk in chunks:
                self.seen += [task.series_id for task in chunk]
                yield chunk

        yield from super().map_chunks(counted(), settings, should_stop)


def test_batch_rows_equal_compare_on_each_series_alone(folder: Path, tmp_path: Path) -> None:
    (folder / "s2.csv").unlink()  # two series are enough here (the ESN takes a second each on a busy machine)
    store = ResultStore(tmp_path / "out")
    progress = run_batch(find_input(str(folder)), BatchSettings(config=CONFIG), store, chunk_size=1)
    assert (progress.done, progress.failed, progress.chunks) == (2, 0, 2)
    rows = store.read_results().set_index(["series_id", "model"])
    for seed in range(2):
        alone = compare(load_series(folder / f"s{seed}.csv"), CONFIG)
        for name, res in alone.models.items():
            row = rows.loc[(f"s{seed}", name)]
            assert row["ok"] and row["mase"] == res.metrics["mase"] and row["rmse"] == res.metrics["rmse"]
            assert row["recommended_model"] == alone.recommended
            assert row["recommended"] == (name == alone.recommended)
            assert row["horizon"] == alone.horizon and row["n_points"] == 72


def test_rerun_skips_series_already_done(folder: Path, tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "out")
    settings = BatchSettings(config=CompareConfig(models=("naive",), memory=False))
    run_batch(find_input(str(folder)), settings, store, chunk_size=1)
    _series(7).to_csv(folder / "s7.csv", index=False)
    executor = CountingExecutor()
    progress = run_batch(find_input(str(folder)), settings, store, executor)
    assert executor.seen == ["s7"]
    assert (progress.done, progress.skipped) == (1, 3)
    assert sorted(store.read_results()["series_id"]) == ["s0", "s1", "s2", "s7"]


def test_a_failing_series_records_its_error_and_the_batch_goes_on(folder: Path, tmp_path: Path) -> None:
    (folder / "tiny.csv").write_text("value\n1\n2\n3\n", encoding="utf-8")
    store = ResultStore(tmp_path / "out")
    progress = run_batch(find_input(str(folder)), BatchSettings(config=CompareConfig(models=("naive",), memory=False)),
                         store)
    assert (progress.done, progress.failed) == (4, 1)
    rows = store.read_results().set_index("series_id")
    assert not rows.loc["tiny", "ok"] and "point" in rows.loc["tiny", "error"]
    assert rows.drop(index="tiny")["ok"].all()
    # Failed series count as done; --retry-failed runs them again and keeps only the newest rows.
    again = run_batch(find_input(str(folder)), BatchSettings(config=CompareConfig(models=("naive",), memory=False)),
                      store, retry_failed=True)
    assert (again.done, again.skipped) == (1, 3)
    assert (store.read_results()["series_id"] == "tiny").sum() == 1


def test_resume_with_other_settings_is_refused(folder: Path, tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "out")
    run_batch(find_input(str(folder)), BatchSettings(config=CompareConfig(models=("naive",), memory=False)), store)
    with pytest.raises(SettingsError, match="other settings"):
        run_batch(find_input(str(folder)), BatchSettings(config=CompareConfig(models=("drift",), memory=False)), store)


def test_a_crash_between_the_two_parts_leaves_no_orphan_forecasts(folder: Path, tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "out")
    settings = BatchSettings(config=CompareConfig(models=("naive",), memory=False), forecasts=True)
    run_batch(find_input(str(folder)), settings, store, chunk_size=3)
    orphan = store.forecasts_dir / "part-000009.parquet"
    (store.forecasts_dir / "part-000000.parquet").rename(orphan)
    run_batch(find_input(str(folder)), settings, store)
    assert not orphan.exists()
    assert len(store.read_forecasts()) == 0  # the results part (and so the series) stays done


def test_long_table_with_chosen_column_names_and_forecasts(tmp_path: Path) -> None:
    frames = [_series(seed).rename(columns={"month": "when", "value": "amount"}).assign(key=f"id{seed}")
              for seed in range(2)]
    table = pd.concat(frames)
    path = tmp_path / "long.parquet"
    table.to_parquet(path)
    batch = find_input(str(path), id_column="key", time_column="when", value_column="amount")
    store = ResultStore(tmp_path / "out")
    settings = BatchSettings(config=CompareConfig(models=("seasonal_naive",), horizon=6, memory=False),
                             forecasts=True)
    run_batch(batch, settings, store)
    forecasts = store.read_forecasts()
    assert sorted(forecasts["series_id"].unique()) == ["id0", "id1"]
    first = forecasts[forecasts["series_id"] == "id0"].sort_values("step")
    expected = frames[0]["amount"].to_numpy()
    np.testing.assert_allclose(first["actual"], expected[-6:])
    np.testing.assert_allclose(first["forecast"], expected[-18:-12])  # last season before the test part


def test_long_table_columns_are_found_or_named_in_the_error() -> None:
    data = pd.DataFrame({"unique_id": ["a"] * 20, "ds": range(20), "y": np.arange(20.0)}).to_csv(index=False)
    tasks = list(input_from_table(data.encode(), "t.csv").tasks())
    assert [t.series_id for t in tasks] == ["a"] and (tasks[0].time_column, tasks[0].value_column) == ("ds", "y")
    with pytest.raises(InputError, match="--id-column"):
        input_from_table(b"name,v\na,1\n", "t.csv")
    with pytest.raises(InputError, match="no id column 'key'"):
        input_from_table(data.encode(), "t.csv", LongColumns(id_column="key"))


def test_manifest_sets_per_series_horizon(folder: Path, tmp_path: Path) -> None:
    (folder / "manifest.json").write_text(json.dumps({"s1": {"horizon": 5, "source": "made up"},
                                                      "other": {"file": "s2.csv", "season_length": 4}}))
    assert read_manifest(str(folder / "manifest.json"))["s2"] == {"season_length": 4}
    store = ResultStore(tmp_path / "out")
    run_batch(find_input(str(folder)), BatchSettings(config=CompareConfig(models=("naive",), memory=False)), store)
    rows = store.read_results().set_index("series_id")
    assert rows.loc["s1", "horizon"] == 5 and rows.loc["s0", "horizon"] != 5
    assert rows.loc["s2", "season_length"] == 4 and rows.loc["s0", "season_length"] == 12


def test_bad_inputs_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        find_input(str(tmp_path / "missing"))
    with pytest.raises(InputError, match="No series files"):
        find_input(str(tmp_path))
    (tmp_path / "m.json").write_text('{"a": {"horizon": 0}}')
    with pytest.raises(SettingsError, match="horizon must be a whole number"):
        read_manifest(str(tmp_path / "m.json"))


def test_cli_batch_then_report(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["batch", str(folder / "*.csv"), "--out", str(out), "--models", "naive,seasonal_naive",
                 "--no-memory", "--horizon", "6"]) == 0
    printed = capsys.readouterr().out
    assert "geomean MASE" in printed and "seasonal_naive" in printed
    board = (out / "leaderboard.md").read_text()
    (out / "leaderboard.md").unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "leaderboard.md").read_text() == board
    assert main(["batch", str(folder), "--out", str(out), "--jobs", "0"]) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nothing")]) == 2


def _tasks(count: int) -> list[SeriesTask]:
    return [SeriesTask(series_id=f"s{k}") for k in range(count)]


def test_chunks_shrink_at_the_end_so_no_worker_idles() -> None:
    sizes = [len(chunk) for chunk in plan_chunks(iter(_tasks(60)), max_size=25, workers=2)]
    assert sum(sizes) == 60 and max(sizes) <= 25
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1  # the last chunks hold one series
    assert len(sizes) >= 4 * 2  # several chunks per worker, not 25/25/10
    long = [len(chunk) for chunk in plan_chunks(iter(_tasks(1000)), max_size=25, workers=2)]
    assert long[:30] == [25] * 30 and sum(long) == 1000  # far from the end chunks stay full
    ids = [task.series_id for chunk in plan_chunks(iter(_tasks(37)), 5, 3) for task in chunk]
    assert ids == [f"s{k}" for k in range(37)]  # every series once, in order


def test_one_worker_gets_plain_chunks() -> None:
    assert [len(c) for c in plan_chunks(iter(_tasks(60)), max_size=25, workers=1)] == [25, 25, 10]


def test_tail_chunk_size_arithmetic() -> None:
    assert tail_chunk_size(1000, 25, 2) == 25  # far from the end: the largest chunk
    assert tail_chunk_size(60, 25, 2) == 15  # 60 / (2 x 2 workers)
    assert tail_chunk_size(3, 25, 2) == 1 and tail_chunk_size(0, 25, 2) == 1
    assert tail_chunk_size(50, 25, 0) == 25  # a worker count of 0 counts as 1


def test_rows_carry_the_cpu_seconds_of_each_series(folder: Path, tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "out")
    run_batch(find_input(str(folder)), BatchSettings(config=CompareConfig(models=("naive",), memory=False)), store)
    rows = store.read_results()
    assert (rows["series_cpu_seconds"] > 0).all()
    assert (rows["series_cpu_seconds"] < rows["series_seconds"] + 1.0).all()
