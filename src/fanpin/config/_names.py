"""Close matches of a misspelt name, for error messages."""

from __future__ import annotations

import difflib

__all__ = ["close_matches"]


def close_matches(word: str, candidates: object) -> str:
    """`` (did you mean 'x'?)`` for the nearest candidates, or an empty string.

    Examples
    --------
    >>> close_matches("健康帮忙", ["健康帮扶", "综合保障"])
    " (did you mean '健康帮扶'?)"
    """
    near = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=3)
    return f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""
