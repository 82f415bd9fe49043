"""Forecast the future: refit the chosen models on every point and forecast H steps past the end."""

from __future__ import annotations

import dataclasses

import streamlit as st

from dashboard import state
from dashboard.jobs import RunRecord
from dashboard.summary import future_table
from forecasting import charts
from forecasting.ensemble import ENSEMBLE
from forecasting.errors import ForecastingError


def _compute(record: RunRecord, models: list[str], horizon: int) -> None:
    from forecasting.future import forecast_future

    config = dataclasses.replace(record.config, memory=False)
    forecasts, errors = [], []
    progress = st.progress(0.0, text="Refitting on all data…")
    for i, name in enumerate(models):
        label = record.result.models[name].label
        progress.progress(i / len(models), text=f"Refitting {label} on all {len(record.series)} points…")
        try:
            forecasts.append(forecast_future(record.series, name, horizon, config, record.result))
        except ForecastingError as error:
            errors.append(f"{label}: {error}")
    progress.empty()
    st.session_state[state.FUTURE] = {"forecasts": forecasts, "errors": errors,
                                      "fingerprint": record.result.series.fingerprint}


def _band_captions(forecasts: list, labels: dict[str, str]) -> None:
    """Which forecasts have bands and where they come from; for the others (or some steps), why not."""
    banded = [labels.get(f.model_name, f.model_name) for f in forecasts
              if any(e.get("lower") is not None for e in f.intervals.values())]
    if banded:
        st.caption(f"Bands ({', '.join(banded)}): split-conformal intervals from the comparison. The per-step "
                   "half-widths were calibrated on the same model with the same settings (its forecasts from "
                   "every origin in the validation part); the refit on all points is the same procedure on more "
                   "data, so the same calibration applies. They are in the CSV too.")
    if any(f.model_name == ENSEMBLE and f.intervals for f in forecasts):
        st.caption("The ensemble's band was calibrated on the median of its members' forecasts; the members were "
                   "chosen on windows inside that stretch, so it can be slightly narrow (its test coverage in the "
                   "comparison table says by how much).")
    for f in forecasts:
        if f.interval_note:
            st.caption(f"{labels.get(f.model_name, f.model_name)}: {f.interval_note.rstrip('.')}.")


def future_section() -> None:
    """Pick models and H, refit on all data on click, then show the forecast chart and its CSV."""
    record: RunRecord | None = state.get(state.RECORD)
    if record is None:
        return
    result = record.result
    st.header("4 · Forecast the future")
    names = [n for n, r in result.models.items() if r.ok]
    default = [result.recommended] if result.recommended in names else names[:1]
    st.session_state.setdefault("future_models", default)
    st.session_state["future_models"] = [n for n in st.session_state["future_models"] if n in names]
    st.session_state.setdefault("future_horizon", int(result.horizon))
    cols = st.columns([3, 1, 1])
    models = cols[0].multiselect("Models", names, key="future_models",
                                 format_func=lambda n: result.models[n].label,
                                 help="Each is refitted on every point (same settings, tuned on its own "
                                      "tail of the data) before forecasting; the ensemble is the median of "
                                      "its members' future forecasts.")
    horizon = cols[1].number_input("Steps ahead", min_value=1, max_value=max(1, len(record.series) // 2),
                                   step=1, key="future_horizon")
    cols[2].write("")
    if cols[2].button("Forecast the future", key="future_run", disabled=not models):
        _compute(record, models, int(horizon))
    future = state.get(state.FUTURE)
    if not future or future["fingerprint"] != result.series.fingerprint:
        st.caption(f"Refits on all {len(record.series)} points and forecasts past {result.index[-1]}.")
        return
    for message in future["errors"]:
        st.error(f"Could not forecast with {message}")
    if not future["forecasts"]:
        return
    labels = {n: r.label for n, r in result.models.items()}
    st.altair_chart(charts.future_chart(record.series.values, result.index, future["forecasts"], labels,
                                        context=max(8 * len(future["forecasts"][0].values), 60),
                                        title=result.series.name), key="chart_future", width="stretch")
    _band_captions(future["forecasts"], labels)
    for f in future["forecasts"]:
        for warning in f.warnings:
            st.caption(f"{labels.get(f.model_name, f.model_name)}: {warning}")
    from forecasting.future import with_band_columns

    table = with_band_columns(future_table(future["forecasts"]), future["forecasts"])
    st.download_button("Future forecast (CSV)", table.to_csv(index=False), "future_forecast.csv", "text/csv",
                       key="dl_future", on_click="ignore")
