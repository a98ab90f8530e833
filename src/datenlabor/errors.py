"""Exceptions whose message is shown to a person as it is, in German.

Every failure a user can cause or meet is one of these. ``exit_code`` is what
the ``datenlabor`` command returns for it: 2 when the input was wrong and
nothing was done, 1 when something failed.
"""

from __future__ import annotations

EXIT_FAILED = 1
EXIT_USAGE = 2


class DatenlaborError(Exception):
    """Base class: the message is complete German text for the user."""

    exit_code = EXIT_FAILED


class ParameterError(DatenlaborError):
    """Raised when a parameter value does not fit its type or constraints."""

    exit_code = EXIT_USAGE


class LabNotFoundError(DatenlaborError):
    """Raised when no lab with the given slug exists under labs/."""

    exit_code = EXIT_USAGE


class LabError(DatenlaborError):
    """Raised when a lab's lab.yaml cannot be read."""


class DatasetError(DatenlaborError):
    """Raised when a dataset is missing, broken or does not fit its schema."""

    exit_code = EXIT_USAGE


class CsvError(DatasetError):
    """Raised when a CSV file cannot be read or lacks expected columns."""


class GeodataError(DatasetError):
    """Raised when own coordinates or an area file cannot be used (swapped, outside Germany, unreadable)."""


class RunError(DatenlaborError):
    """Raised when a notebook run fails (cell error, kernel death, timeout)."""


class HistoryError(DatenlaborError):
    """Raised when the run history database cannot be read or written."""


class MetricError(DatenlaborError):
    """Raised when a notebook records a metric that is not a finite number, text or yes/no."""


class ServerOptionError(DatenlaborError):
    """Raised when an option of `datenlabor serve` (command line or config file) is invalid."""

    exit_code = EXIT_USAGE


class BrandingError(DatenlaborError):
    """Raised when the branding file (name, logo, colours of the app server) is unusable."""


class PortalError(DatenlaborError):
    """Raised when a dataset cannot be fetched or described (network, HTTP, not CKAN, not CSV, too large, target exists)."""

    exit_code = EXIT_USAGE


class HubError(DatenlaborError):
    """Raised when the JupyterHub platform (``datenlabor hub``) cannot be set up or started."""


class TenantFileError(HubError):
    """Raised when the tenant file (Mandanten-Datei) of the hub is missing or invalid."""

    exit_code = EXIT_USAGE
