"""Altair chart builders for comparison results: pure functions, result in -> chart out (no Streamlit here).

One module per chart family; the dashboard only lays the returned charts out, and the unit tests
inspect their Vega-Lite specs without a browser.
"""

from forecasting.charts.forecast import error_chart, forecast_chart
from forecasting.charts.future import future_chart
from forecasting.charts.memory import capacity_chart, sensitivity_chart
from forecasting.charts.reservoir import eigenvalue_chart
from forecasting.charts.series import series_chart
from forecasting.charts.timing import fit_time_chart
from forecasting.charts.training import loss_chart

__all__ = ["capacity_chart", "eigenvalue_chart", "error_chart", "fit_time_chart", "forecast_chart",
           "future_chart", "loss_chart", "sensitivity_chart", "series_chart"]
