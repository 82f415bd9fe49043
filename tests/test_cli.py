"""The command line: JSON schema, readable table, run-file replay, forecasts with timestamps, clean errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "forecasting", *args], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=300)


def test_compare_json_follows_the_documented_schema():
    proc = run_cli("compare", "data/air_passengers.csv", "--models", "esn,naive,seasonal_naive",
                   "--horizon", "12", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["horizon"] == 12 and data["series"]["length"] == 144
    assert set(data["models"]) == {"esn", "naive", "seasonal_naive"}
    esn = data["models"]["esn"]
    assert set(esn["metrics"]) == {"mae", "rmse", "smape", "mase", "nrmse"}
    assert len(esn["forecast"]) == 12 and esn["trainable_parameters"] > 0
    assert data["recommended"] in data["models"]


def test_compare_table_is_readable_and_shows_memory_columns():
    proc = run_cli("compare", "--models", "naive,seasonal_naive", "--param", "esn.units=50", "--param", "lstm.max_epochs=15", "--param", "gru.max_epochs=15")
    assert proc.returncode == 0, proc.stderr
    assert "MASE" in proc.stdout and " h " in proc.stdout and "seasonal_naive" in proc.stdout


def test_unknown_param_lists_valid_names_with_exit_status_2():
    proc = run_cli("compare", "--models", "esn", "--param", "esn.colour=3")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "units" in proc.stderr and "spectral_radius" in proc.stderr


def test_bad_file_gives_one_line_and_exit_status_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\nx,y\nz,w\n")
    proc = run_cli("compare", str(bad))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    missing = run_cli("compare", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_run_file_replays_the_same_numbers(tmp_path):
    run_file = tmp_path / "run.json"
    first = run_cli("compare", "data/air_passengers.csv", "--models", "esn,drift", "--seeds", "2",
                    "--param", "esn.units=80", "--save-run", str(run_file), "--json")
    assert first.returncode == 0, first.stderr
    replay = run_cli("compare", "--config", str(run_file), "--json")
    assert replay.returncode == 0, replay.stderr
    a, b = json.loads(first.stdout), json.loads(replay.stdout)
    for name in ("esn", "drift"):
        assert a["models"][name]["forecast"] == b["models"][name]["forecast"]
        assert a["models"][name]["metrics"] == b["models"][name]["metrics"]
    assert b["models"]["esn"]["params"]["units"] == 80


def test_forecast_writes_future_values_with_timestamps(tmp_path):
    out = tmp_path / "future.csv"
    proc = run_cli("forecast", "data/air_passengers.csv", "--model", "seasonal_naive", "--horizon", "12",
                   "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(out)
    assert len(frame) == 12 and frame["time"].iloc[0].startswith("1961-01-01")
    assert frame["forecast"].tolist() == pd.read_csv(ROOT / "data/air_passengers.csv")["passengers"].iloc[-12:].tolist()


def test_forecast_auto_takes_the_recommended_model():
    proc = run_cli("forecast", "data/sunspots_yearly.csv", "--model", "auto", "--horizon", "5",
                   "--param", "esn.units=50", "--param", "lstm.max_epochs=15", "--param", "gru.max_epochs=15")
    assert proc.returncode == 0, proc.stderr
    assert "recommended model" in proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "time,forecast" and lines[1].startswith("1989")


def _saved_run(tmp_path: Path, **changes: object) -> Path:
    """A run file for the bundled airline example (naive only), with config values replaced."""
    from forecasting.comparison import CompareConfig
    from forecasting.examples import load_example
    from forecasting.runfile import make_run_file

    run = make_run_file({"example": "air_passengers", "column": "passengers", "time_column": "month"},
                        load_example("air_passengers"), CompareConfig(models=("naive",)))
    run["config"].update(changes.pop("config", {}))
    run["data"].update(changes)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(run), encoding="utf-8")
    return path


def test_run_file_with_a_wrong_type_gives_one_line_not_a_traceback(tmp_path):
    proc = run_cli("compare", "--config", str(_saved_run(tmp_path, config={"seeds": "3"})))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "config.seeds must be a whole number" in proc.stderr and "Traceback" not in proc.stderr


def test_run_file_cannot_point_at_a_local_file(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("value\n" + "\n".join(str(i * 7 % 13) for i in range(40)))
    proc = run_cli("compare", "--config", str(_saved_run(tmp_path, example=str(secret))), "--json")
    assert proc.returncode == 2 and proc.stdout == "" and "not bundled" in proc.stderr


def test_example_name_means_the_bundled_example_even_when_a_local_file_has_that_name(tmp_path):
    (tmp_path / "sunspots").write_text("value\n" + "\n".join(str(i % 5) for i in range(30)))
    proc = subprocess.run([sys.executable, "-m", "forecasting", "compare", "sunspots", "--models", "naive",
                           "--no-memory", "--json"], cwd=tmp_path, env={**ENV, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["series"]["length"] == 289  # the bundled yearly sunspots, not the local file


def test_mostly_missing_series_is_refused_and_a_gappy_one_warns_in_the_table(tmp_path):
    values = [str(float(i % 7 + 1)) for i in range(111)]
    mostly = tmp_path / "mostly.csv"
    mostly.write_text("value\n" + "\n".join(v if i in (0, 110) or i > 99 else "NA" for i, v in enumerate(values)))
    proc = run_cli("compare", str(mostly), "--models", "naive")
    assert proc.returncode == 2 and "99 of its 111 points" in proc.stderr and proc.stderr.count("\n") == 1
    gappy = tmp_path / "gappy.csv"
    gappy.write_text("value\n" + "\n".join("NA" if 10 <= i < 40 else v for i, v in enumerate(values)))
    proc = run_cli("compare", str(gappy), "--models", "naive", "--no-memory")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("warning: 30 of the 111 points (27%) were missing")


def test_base_seed_chooses_the_seeds_and_a_negative_one_is_refused():
    proc = run_cli("compare", "data/air_passengers.csv", "--models", "esn,naive", "--param", "esn.units=30",
                   "--seeds", "2", "--base-seed", "5", "--no-memory", "--json")
    assert proc.returncode == 0, proc.stderr
    models = json.loads(proc.stdout)["models"]
    assert models["esn"]["seeds"] == [5, 6] and models["naive"]["seeds"] == [5]
    refused = run_cli("compare", "data/air_passengers.csv", "--models", "naive", "--base-seed", "-1")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "first seed" in refused.stderr
