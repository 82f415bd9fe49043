"""Typed errors: the only exceptions the engine lets escape for bad user input or bad settings.

Each message says what is wrong and what to do, so the CLI and the dashboard can show it as is.
"""


class ForecastingError(Exception):
    """Base class of every error meant to be shown to a user instead of a traceback."""


class InputError(ForecastingError):
    """The uploaded file or series cannot be used (empty, non-numeric, too short, constant, ...)."""


class SettingsError(ForecastingError):
    """A setting or hyperparameter is invalid (unknown name, out of range, horizon too long, ...)."""
