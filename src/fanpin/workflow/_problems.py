"""A list of problems (rows refused, rules failed) as one message that the
command line translates item by item."""

from __future__ import annotations

from ..messages import Message

__all__ = ["bullets", "row_order"]


def bullets(items: list) -> Message:
    r"""``items`` (messages) as one message, one indented "- " line each, that
    translates item by item (a joined ``str`` would lose their templates).

    >>> bullets([Message("a {x}", x=1), "b"])
    '  - a 1\n  - b'
    """
    template = "\n".join(f"  - {{p{i}}}" for i in range(len(items)))
    return Message(template, **{f"p{i}": item for i, item in enumerate(items)})


def row_order(problem: object) -> tuple:
    """Sort key of a row's problem: its sheet and row (others last)."""
    params = getattr(problem, "params", {})
    return (str(params.get("sheet", "")), int(params.get("row", 1 << 30)))
