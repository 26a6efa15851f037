"""The one place that touches private scikit-learn helpers.

scikit-learn's declarative parameter validation (``_param_validation``) and the
``_fit_context`` decorator are private. fanpin uses them (as scikit-learn's own
estimators and ``sklearn-compat`` do) but imports them only from here, so that a
change in scikit-learn is fixed in one file.

Examples
--------
>>> from fanpin._compat import Interval
>>> from numbers import Real
>>> Interval(Real, 0, 1, closed="neither").is_satisfied_by(0.5)
True
"""

from __future__ import annotations

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    make_constraint,
    validate_parameter_constraints,
    validate_params,
)

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_fit_context",
    "make_constraint",
    "validate_parameter_constraints",
    "validate_params",
]
