"""One settings expander per model, built from its ``Params`` dataclass: every hyperparameter, its help and range.

No model has hand-written widgets: the field type picks the widget, the field metadata gives the
help text, the bounds and the choices. Only values that differ from the defaults reach the config.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import streamlit as st

from dashboard.state import param_key
from forecasting.errors import SettingsError
from forecasting.models import get_model_class
from forecasting.models.base import coerce_value


def field_default(spec: dataclasses.Field) -> Any:
    """The default value of a Params field (also for ``default_factory`` fields)."""
    if spec.default is not dataclasses.MISSING:
        return spec.default
    if spec.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return spec.default_factory()  # type: ignore[misc]
    return None


def float_step(default: float, low: float | None, high: float | None) -> float:
    """A step for a float input: one tenth of the default's order of magnitude (or of the range)."""
    if default:
        return 10.0 ** (math.floor(math.log10(abs(default))) - 1)
    if low is not None and high is not None and high > low:
        return 10.0 ** math.floor(math.log10((high - low) / 100.0))
    return 0.1


def _label(name: str) -> str:
    return name.replace("_", " ")


def param_input(model: str, spec: dataclasses.Field) -> Any:
    """Draw the widget for one hyperparameter and return its value (None means the model's automatic choice)."""
    meta, default, key = spec.metadata, field_default(spec), param_key(model, spec.name)
    st.session_state.setdefault(key, default)
    help_text = meta.get("help") or None
    low, high = meta.get("low"), meta.get("high")
    if meta.get("choices"):
        return st.selectbox(_label(spec.name), list(meta["choices"]), key=key, help=help_text)
    if isinstance(default, bool):
        return st.checkbox(_label(spec.name), key=key, help=help_text)
    if isinstance(default, int):
        return st.number_input(_label(spec.name), min_value=None if low is None else int(math.ceil(low)),
                               max_value=None if high is None else int(math.floor(high)), step=1,
                               key=key, help=help_text)
    if isinstance(default, float):
        return st.number_input(_label(spec.name), min_value=None if low is None else float(low),
                               max_value=None if high is None else float(high),
                               step=float_step(default, low, high), format="%g", key=key, help=help_text)
    # None default (an automatic choice) or free text: a text box, parsed like the CLI parses it.
    if st.session_state[key] is None:
        st.session_state[key] = ""
    text = st.text_input(_label(spec.name), key=key, help=help_text, placeholder="auto")
    return None if str(text).strip() in ("", "auto", "none", "None") else text


def model_params_expander(model: str) -> tuple[dict[str, Any], str | None]:
    """Draw one model's expander; return its non-default hyperparameters and an error message (or None)."""
    cls = get_model_class(model)
    specs = cls.Params.specs()
    overrides: dict[str, Any] = {}
    with st.expander(f"{cls.label} settings", expanded=False):
        doc = (cls.__doc__ or "").strip().splitlines()
        if doc:
            st.caption(doc[0])
        if not specs:
            st.caption("No hyperparameters: nothing to tune (the season length comes from the data).")
        for spec in specs:
            value = param_input(model, spec)
            default = field_default(spec)
            if value is None and default is None:
                continue
            if value != default:
                overrides[spec.name] = value
        error = None
        try:
            parsed = cls.Params()
            overrides = {k: coerce_value(parsed, k, v) for k, v in overrides.items()}
            parsed.replace(**overrides)
        except SettingsError as exc:
            error = f"{cls.label}: {exc}"
            st.error(error)
    return overrides, error


def reset_params(model: str) -> None:
    """Put every hyperparameter widget of ``model`` back to its default (before the widgets are drawn)."""
    for spec in get_model_class(model).Params.specs():
        default = field_default(spec)
        st.session_state[param_key(model, spec.name)] = "" if default is None else default
