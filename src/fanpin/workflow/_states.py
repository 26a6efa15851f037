"""Case states and the legal transitions of the identification procedure."""

from __future__ import annotations

from types import MappingProxyType

from ..exceptions import TransitionError
from ..messages import N_, Message

__all__ = [
    "CATEGORIES",
    "CLOSED_STATES",
    "DEADLINE_STATES",
    "ELIMINATION_METHODS",
    "NEXT_STATES",
    "STATES",
    "check_transition",
]

STATES = ("预警", "核查中", "已认定", "已排除", "帮扶中", "风险消除")
"""预警 alert -> 核查中 checking -> 已认定 identified | 已排除 excluded;
已认定 -> 帮扶中 assisted -> 风险消除 risk eliminated."""

NEXT_STATES = MappingProxyType(
    {
        "预警": ("核查中",),
        "核查中": ("已认定", "已排除"),
        "已认定": ("帮扶中",),
        "帮扶中": ("风险消除",),
        "已排除": (),
        "风险消除": (),
    }
)
CLOSED_STATES = ("已排除", "风险消除")
"""A case in one of these states is closed; a new alert opens a new case."""

DEADLINE_STATES = ("预警", "核查中")
"""States still to be verified: a case in one of them past its deadline is
overdue (已逾期)."""

CATEGORIES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
"""监测对象类别, required when a case is identified (已认定)."""

ELIMINATION_METHODS = ("帮扶消除", "自然消除")
"""风险消除方式, required when a risk is eliminated."""

ILLEGAL_TRANSITION = N_(
    "Case {case_id} is in state {current!r} and cannot move to {target!r}. "
    "Allowed next state(s): {allowed}. {how}"
)
UNKNOWN_STATE = N_("Unknown case state {target!r}. States are: {states}.")
MSG_CLOSED_NONE = N_("none (closed)")

_CLOSED_HOW = N_("The case is closed; a new alert for the household opens a new case.")
_HOW = {
    "预警": N_("Start the home check first: update the case --to 核查中."),
    "核查中": N_("Finish the check: --to 已认定 --category C, or --to 已排除."),
    "已认定": N_("Record a measure and start assistance: --to 帮扶中 --measure M."),
    "帮扶中": N_("When the rules hold: --to 风险消除 --method 帮扶消除."),
    "已排除": _CLOSED_HOW,
    "风险消除": _CLOSED_HOW,
}


def check_transition(case_id: object, current: str, target: str) -> None:
    """Raise :class:`TransitionError` unless ``current -> target`` is legal.

    Examples
    --------
    >>> check_transition(1, "预警", "核查中")
    >>> check_transition(1, "预警", "已认定")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fanpin.exceptions.TransitionError: Case 1 is in state '预警' and cannot ...
    """
    if target not in STATES:
        raise TransitionError(
            Message(UNKNOWN_STATE, target=target, states=", ".join(STATES))
        )
    allowed = NEXT_STATES[current]
    if target not in allowed:
        raise TransitionError(
            Message(
                ILLEGAL_TRANSITION,
                case_id=case_id,
                current=current,
                target=target,
                allowed=", ".join(allowed) or Message(MSG_CLOSED_NONE),
                how=Message(_HOW[current]),
            )
        )
