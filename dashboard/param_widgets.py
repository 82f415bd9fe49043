"""Hyperparameter widgets per model, built from its ``Params`` dataclass: every hyperparameter, its help and range.

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


def _initial_value(spec: dataclasses.Field) -> Any:
    """What a hyperparameter's widget holds before the user touches it (automatic choices: an empty box)."""
    default = field_default(spec)
    return "" if default is None else default


def keep_param_values(models: tuple[str, ...] | list[str]) -> None:
    """Give every hyperparameter of ``models`` a remembered value, kept while its widgets are not drawn.

    Streamlit forgets a widget's value in a run that does not draw it; writing the value back at the start
    of every run keeps it, so a model's settings survive while another model's settings are open.
    """
    for model in models:
        for spec in get_model_class(model).Params.specs():
            key = param_key(model, spec.name)
            value = st.session_state.get(key)
            st.session_state[key] = _initial_value(spec) if value is None else value


def param_input(model: str, spec: dataclasses.Field) -> None:
    """Draw the widget for one hyperparameter; its value stays in the session state under its key."""
    meta, default, key = spec.metadata, field_default(spec), param_key(model, spec.name)
    st.session_state.setdefault(key, _initial_value(spec))
    help_text = meta.get("help") or None
    low, high = meta.get("low"), meta.get("high")
    if meta.get("choices"):
        st.selectbox(_label(spec.name), list(meta["choices"]), key=key, help=help_text)
    elif isinstance(default, bool):
        st.checkbox(_label(spec.name), key=key, help=help_text)
    elif isinstance(default, int):
        st.number_input(_label(spec.name), min_value=None if low is None else int(math.ceil(low)),
                        max_value=None if high is None else int(math.floor(high)), step=1,
                        key=key, help=help_text)
    elif isinstance(default, float):
        st.number_input(_label(spec.name), min_value=None if low is None else float(low),
                        max_value=None if high is None else float(high),
                        step=float_step(default, low, high), format="%g", key=key, help=help_text)
    else:  # None default (an automatic choice) or free text: a text box, parsed like the CLI parses it.
        st.text_input(_label(spec.name), key=key, help=help_text, placeholder="auto")


def _held_value(model: str, spec: dataclasses.Field) -> Any:
    """The value a hyperparameter holds now (None: the model's automatic choice), drawn or not."""
    value = st.session_state.get(param_key(model, spec.name), _initial_value(spec))
    if field_default(spec) is None:  # a text box: empty or "auto" means the automatic choice
        return None if str(value).strip() in ("", "auto", "none", "None") else value
    return value


def model_overrides(model: str) -> tuple[dict[str, Any], str | None]:
    """One model's hyperparameters that differ from its defaults, parsed; and an error message (or None)."""
    cls = get_model_class(model)
    overrides: dict[str, Any] = {}
    for spec in cls.Params.specs():
        value, default = _held_value(model, spec), field_default(spec)
        if value is None and default is None:
            continue
        if value != default:
            overrides[spec.name] = value
    try:
        parsed = cls.Params()
        overrides = {k: coerce_value(parsed, k, v) for k, v in overrides.items()}
        parsed.replace(**overrides)
    except SettingsError as exc:
        return overrides, f"{cls.label}: {exc}"
    return overrides, None


def draw_model_params(model: str) -> None:
    """Draw every hyperparameter widget of one model in a bordered box, with the model's one-line summary."""
    cls = get_model_class(model)
    specs = cls.Params.specs()
    with st.container(border=True):
        doc = (cls.__doc__ or "").strip().splitlines()
        st.caption(f"**{cls.label}**" + (f": {doc[0]}" if doc else ""))
        if not specs:
            st.caption("No hyperparameters: nothing to tune (the season length comes from the data).")
        cols = st.columns(3)
        for index, spec in enumerate(specs):
            with cols[index % 3]:
                param_input(model, spec)


def reset_params(model: str) -> None:
    """Put every hyperparameter widget of ``model`` back to its default (before the widgets are drawn)."""
    for spec in get_model_class(model).Params.specs():
        st.session_state[param_key(model, spec.name)] = _initial_value(spec)
