"""Exceptions whose message is shown to a person as it is, in German."""

from __future__ import annotations


class DatenlaborError(Exception):
    """Base class: the message is complete German text for the user."""


class ParameterError(DatenlaborError):
    """Raised when a parameter value does not fit its type or constraints."""


class LabNotFoundError(DatenlaborError):
    """Raised when no lab with the given slug exists under labs/."""


class DatasetError(DatenlaborError):
    """Raised when a dataset is missing, broken or does not fit its schema."""


class CsvError(DatasetError):
    """Raised when a CSV file cannot be read or lacks expected columns."""


class RunError(DatenlaborError):
    """Raised when a notebook run fails (cell error, kernel death, timeout)."""


class ServerOptionError(ParameterError):
    """Raised when an option of `datenlabor serve` (command line or config file) is invalid."""


class BrandingError(DatenlaborError):
    """Raised when the branding file (name, logo, colours of the app server) is unusable."""
