"""The one exception tree of fanpin.

Every error fanpin raises on purpose derives from :class:`FanpinError`, so a caller
(and the command line) can catch just that::

    FanpinError
    ├── SchemaError(ValueError)       input data break the household contract
    ├── ConfigError(ValueError)       a YAML config is missing, malformed, inconsistent
    ├── InputError(ValueError)        a file cannot be read (format, encoding, size)
    ├── OutputError(OSError)          an output cannot be written
    ├── ModelError                    a model file is missing, tampered or mismatched
    ├── CaseStoreError                the case store refuses an operation
    │   └── TransitionError           an illegal case-state transition
    └── MissingDependencyError(ImportError)  an optional extra is not installed

    FanpinWarning(UserWarning)
    └── DataRepairWarning             input was repaired; the message says how

scikit-learn's :class:`~sklearn.exceptions.NotFittedError` is reused for unfitted
estimators. Messages say what was expected, what was found and how to fix it; they
never quote personal data (names, ID numbers, phone numbers).
"""

from __future__ import annotations

from .messages import N_, Message

__all__ = [
    "CaseStoreError",
    "ConfigError",
    "DataRepairWarning",
    "FanpinError",
    "FanpinWarning",
    "InputError",
    "MSG_SCHEMA_HEADER",
    "MissingDependencyError",
    "ModelError",
    "OutputError",
    "SchemaError",
    "TransitionError",
]


MSG_SCHEMA_HEADER = N_("The data break the household contract ({n} problem(s)):")


class FanpinError(Exception):
    """Base class of every error raised by fanpin on purpose.

    Raise it with a :class:`~fanpin.messages.Message` (``ConfigError(Message(MSG_X,
    key=...))``) so that the command line can show the message in Chinese; a
    plain string is shown as it is.
    """


class SchemaError(FanpinError, ValueError):
    """The data do not follow the household contract.

    Parameters
    ----------
    problems : list of str
        One readable line per problem; all problems are reported at once.
    """

    def __init__(self, problems: list[str] | str, *, header: str | None = None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.header = header
        head = header or Message(MSG_SCHEMA_HEADER, n=len(self.problems))
        self.heading = head
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in self.problems))

    def __reduce__(self):  # sent back by Dask workers: rebuild, do not re-wrap
        return _schema_error, (type(self), self.problems, self.header)


def _schema_error(cls: type, problems: list[str], header: str | None) -> SchemaError:
    return cls(problems, header=header)


class ConfigError(FanpinError, ValueError):
    """A configuration file is missing, malformed or inconsistent."""


class InputError(FanpinError, ValueError):
    """An input file cannot be read: unknown format, bad encoding, truncated or "
    "empty."""


class OutputError(FanpinError, OSError):
    """An output cannot be written."""


class ModelError(FanpinError):
    """A model file is missing, tampered with, or does not fit the data."""


class CaseStoreError(FanpinError):
    """The case store refuses an operation."""


class TransitionError(CaseStoreError, ValueError):
    """A case cannot move from its current state to the requested one."""


class MissingDependencyError(FanpinError, ImportError):
    """An optional dependency (an extra) is needed but not installed."""


class FanpinWarning(UserWarning):
    """Base class of fanpin's warnings."""


class DataRepairWarning(FanpinWarning):
    """Input data were repaired (e.g. ``"12,550"`` read as 12550); the message says "
    "how."""
