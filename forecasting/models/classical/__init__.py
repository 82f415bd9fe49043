"""Classical statistical references from statsmodels: ETS, Theta and auto-ARIMA, one module per method.

They see raw values (no preprocessing by the comparison), choose their configuration on the training
data alone (AICc, unit-root and seasonality tests) and never need a validation part. statsmodels is
imported inside the methods, so that listing the registry does not pay its import (about 2 s cold).
"""

from forecasting.models.classical.arima import ARIMAForecaster, ARIMAParams
from forecasting.models.classical.ets import ETSForecaster, ETSParams
from forecasting.models.classical.theta import ThetaForecaster, ThetaParams

__all__ = ["ARIMAForecaster", "ARIMAParams", "ETSForecaster", "ETSParams", "ThetaForecaster", "ThetaParams"]
