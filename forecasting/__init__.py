"""Forecasting lab engine: load a 1-D series, fit ESN / LSTM / GRU / baselines, compare them honestly.

Nothing in this package imports Streamlit; the dashboard lives in ``app.py`` and ``dashboard/``.
"""

from forecasting.errors import ForecastingError, InputError, SettingsError

__all__ = ["ForecastingError", "InputError", "SettingsError"]
