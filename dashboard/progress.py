"""The "Fit & compare" button, the background run it starts, and the live progress panel with a Stop button.

The comparison runs in a thread (:mod:`dashboard.jobs`), so clicking anything else never interrupts it;
a fragment polls its progress twice a second and triggers one full rerun when it ends.

The button is drawn before the page imports pandas, numpy or the engine (the first page is interactive
sooner), so this module imports them only where a run is started or shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from dashboard import state

if TYPE_CHECKING:
    from dashboard.jobs import ComparisonJob
    from forecasting.comparison import CompareConfig
    from forecasting.loading import LoadedSeries

POLL_SECONDS = 1.0


def collect_finished_job() -> None:
    """Move a finished run's result into session state (call once, early in every script run)."""
    job: ComparisonJob | None = state.get(state.JOB)
    if job is None or not job.done:
        return
    st.session_state[state.JOB] = None
    if job.error:
        st.session_state[state.RUN_NOTE] = ("error", f"The comparison could not run: {job.error}")
        return
    record = job.record()
    if record.result.cancelled and not record.result.models:
        st.session_state[state.RUN_NOTE] = ("warning", "Stopped before any model finished; "
                                            "the previous results (if any) are still shown.")
        return
    st.session_state[state.RECORD] = record
    st.session_state[state.FUTURE] = None
    st.session_state.pop("fc_models", None)  # the new run may have other models: show them all
    if record.result.cancelled:
        st.session_state[state.RUN_NOTE] = ("warning", stopped_note(record))
    else:
        st.session_state[state.RUN_NOTE] = None


def stopped_note(record: Any) -> str:
    """What a stopped run kept: finished models, the one stopped mid-training, and those never started."""
    result = record.result
    finished, stopped = [], []
    for model in result.models.values():
        (stopped if model.extras.get("stopped_by_user") else finished).append(model.label)
    from dashboard.settings import model_label

    not_run = [model_label(n) for n in record.config.models if n not in result.models]
    parts = [f"Run stopped early. Finished: {', '.join(finished) or 'none'}."]
    if stopped:
        parts.append(f"Stopped mid-training (kept with its best weights so far, marked): {', '.join(stopped)}.")
    if not_run:
        parts.append(f"Not run: {', '.join(not_run)}.")
    return " ".join(parts)


def start_job(series: LoadedSeries, config: CompareConfig, source: dict[str, Any]) -> ComparisonJob:
    """Start a comparison in the background and remember it in session state."""
    from dashboard.jobs import ComparisonJob

    job = ComparisonJob(series, config, source).start()
    st.session_state[state.JOB] = job
    st.session_state[state.FIT_COUNT] = state.get(state.FIT_COUNT, 0) + 1
    st.session_state[state.RUN_NOTE] = None
    return job


FIT_HELP = "Fit every selected model on the same split and compare them on the test part."
SETTINGS_HEADING = "2 · Settings"


def settings_heading() -> Any:
    """Draw the settings' heading with room for "Fit & compare" on its right; return that slot.

    The settings then fill the page below this row, so the button, drawn early, never moves.
    """
    heading, action = st.columns([6, 1], vertical_alignment="center")
    heading.header(SETTINGS_HEADING)
    return action.empty()


def _running() -> bool:
    job: ComparisonJob | None = state.get(state.JOB)
    return job is not None and not job.done


def _fit_button(slot: Any, key: str = "fit", disabled: bool = False) -> bool:
    """The one "Fit & compare" button, in ``slot``."""
    return slot.button("Fit & compare", type="primary", key=key, disabled=disabled, help=FIT_HELP)


def fit_button(slot: Any) -> bool | None:
    """Draw "Fit & compare" in ``slot`` before the page loads anything heavy; return whether it was clicked.

    Drawn early only when it will be enabled: no run going, and a series loaded by the last run (or the
    first run, which loads the default example). Otherwise returns None and :func:`fit_controls` draws it
    once the data is known.
    """
    if _running() or (state.get(state.SERIES) is None and state.get(state.DATA_ERROR)):
        return None
    return _fit_button(slot)


def fit_controls(slot: Any, clicked: bool | None, series: LoadedSeries | None, config: CompareConfig | None,
                 problem: str | None) -> None:
    """Finish the button drawn by :func:`fit_button`; on click check the settings and start the run; progress.

    A button drawn early stays honest: when no series could be loaded it is replaced by a disabled one.
    """
    running = _running()
    if clicked is None:
        clicked = _fit_button(slot, disabled=running or series is None)
    elif series is None:
        _fit_button(slot, key="fit_no_series", disabled=True)
    if clicked and not running:
        if problem or config is None or series is None:
            st.error(f"Nothing was fitted: {problem or 'load a series first.'}")
        else:
            start_job(series, config, state.get(state.SOURCE) or {})
            running = True
    # One container, always drawn, so the results below keep their place whether or not a run is going.
    with st.container():
        note = state.get(state.RUN_NOTE)
        if note and not running:
            (st.error if note[0] == "error" else st.warning)(note[1])
        if running:
            progress_panel()


def _fmt_loss(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


@st.fragment(run_every=POLL_SECONDS)
def progress_panel() -> None:
    """Live progress of the running comparison; reruns the whole page once when it has finished."""
    job: ComparisonJob | None = state.get(state.JOB)
    if job is None:
        return
    if job.done:
        st.rerun()
    from dashboard.settings import model_label

    p = job.snapshot()
    total = len(p.models)
    current = model_label(p.model) if p.model else "starting"
    position = (p.models.index(p.model) + 1) if p.model in p.models else 0
    label = "Stopping…" if job.stop_requested else f"Fitting {current} ({position}/{total})"
    if p.waiting:  # the server's workers are all busy (dashboard/jobs.py WorkerPool)
        label = f"Waiting for a free worker ({p.ahead} ahead)" if p.ahead else "Waiting for a free worker (next)"
    with st.status(f"{label} · {p.elapsed:.1f} s elapsed", expanded=True, state="running"):
        st.progress(min(len(p.finished) / max(total, 1), 1.0),
                    text=f"{len(p.finished)} of {total} models finished")
        if p.model and p.max_epochs:
            text = (f"{current}: epoch {p.epoch}/{p.max_epochs} · train loss {_fmt_loss(p.train_loss)} · "
                    f"validation loss {_fmt_loss(p.val_loss)} · {p.model_elapsed:.1f} s")
            if p.total_runs > 1:
                text += f" · fit {p.run}/{p.total_runs}"
            st.progress(min(p.epoch / p.max_epochs, 1.0), text=text)
        elif p.model:
            st.caption(f"{current}: fitting · {p.model_elapsed:.1f} s")
        for result in p.finished.values():
            if result.ok:
                mase = result.metrics.get("mase")
                st.write(f"✓ {result.label}: fitted in {result.fit_seconds:.2f} s, test MASE {mase:.3g}")
            else:
                st.write(f"✗ {result.label}: {result.error}")
    st.button("Stop", key="stop", on_click=job.stop, disabled=job.stop_requested,
              help="Stop after the current epoch: finished models are kept and shown; the model being "
                   "trained keeps its best weights so far and is marked as stopped.")
