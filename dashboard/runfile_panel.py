"""Load a run file back: set the data source and every setting from it, and check the data fingerprint."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.param_widgets import field_default, reset_params
from dashboard.settings import flag_option
from forecasting.comparison import CompareConfig
from forecasting.errors import ForecastingError
from forecasting.models import MODEL_NAMES, get_model_class


def apply_config(config: CompareConfig) -> None:
    """Set every settings widget from ``config`` (called from a callback, before the widgets are drawn).

    Every value is worked out first and written only when all of them are valid, so a run file that
    fails half-way changes nothing.
    """
    updates: dict[str, object] = {
        "models": list(config.models),
        "horizon": config.horizon, "validation_size": config.validation_size,
        "season_length": config.season_length, "time_budget": config.time_budget_s,
        "seeds": int(config.seeds), "base_seed": int(config.base_seed), "backtest": int(config.backtest),
        "memory": bool(config.memory),
        "ensemble_size": int(getattr(config, "ensemble_size", 3)),
    }
    for key in ("log", "difference", "seasonal_difference"):
        updates[key] = flag_option(getattr(config, key))
    for model, overrides in config.params.items():
        params = get_model_class(model).Params().replace(**overrides)
        defaults = {spec.name: field_default(spec) for spec in params.specs()}
        for name in overrides:
            value = getattr(params, name)
            # Hyperparameters whose default is automatic (None) are typed into a text box.
            updates[state.param_key(model, name)] = ("" if value is None else str(value)) \
                if defaults[name] is None else value
    for model in MODEL_NAMES:
        reset_params(model)
    st.session_state.update(updates)


def _on_run_file() -> None:
    from forecasting.runfile import read_run_file

    upload = st.session_state.get("run_file")
    if upload is None:
        st.session_state[state.RUN_FILE_NOTE] = None
        st.session_state[state.EXPECTED_FINGERPRINT] = None
        return
    try:
        source, config = read_run_file(upload.getvalue())
        apply_config(config)
    except ForecastingError as error:
        st.session_state[state.RUN_FILE_NOTE] = ("error", f"Could not use this run file: {error}")
        return
    st.session_state[state.EXPECTED_FINGERPRINT] = source.get("fingerprint")
    st.session_state[state.PENDING_COLUMNS] = {"value column": source.get("column"),
                                               "time column": source.get("time_column")}
    if source.get("example"):
        st.session_state["example"] = source["example"]
        text = f"Settings loaded. Data: the example “{source['example']}”"
        if st.session_state.get("upload") is not None:
            text += " (remove the uploaded file to use it)"
    else:
        text = f"Settings loaded. Upload “{source.get('filename')}” to replay it on the same data"
    st.session_state[state.RUN_FILE_NOTE] = ("success", text + "; then press Fit & compare.")


def runfile_sidebar() -> None:
    """Sidebar uploader for a run file, with what it did and whether the data matches it."""
    with st.expander("Replay a run file", expanded=state.get(state.RUN_FILE_NOTE) is not None):
        st.file_uploader("Run file (JSON)", type=["json"], key="run_file", on_change=_on_run_file,
                         help="A run file downloaded from the Results → Downloads tab or written by "
                              "`python -m forecasting compare --save-run`.")
        note = state.get(state.RUN_FILE_NOTE)
        if note:
            {"error": st.error, "success": st.success}[note[0]](note[1])
        expected = state.get(state.EXPECTED_FINGERPRINT)
        series = state.get(state.SERIES)
        if expected and series is not None:
            if series.fingerprint() == expected:
                st.caption("✓ The loaded data matches the run file's fingerprint.")
            else:
                st.warning("The loaded data differs from the data this run file was made on "
                           "(fingerprint mismatch): the numbers will not be the same.")
