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
