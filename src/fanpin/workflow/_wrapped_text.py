"""How many lines a text takes in a wrapped worksheet cell (row heights).

Excel and WPS do not store a row's height for wrapped text written by a
library: the writer must set it, tall enough to show the whole cell when
printed. The estimate uses each character's width at the workbook's font size
(full-width characters, digits and letters, narrow punctuation) and where a
line may break (after a full-width character, a space or punctuation; a run of
half-width characters is kept whole). It depends only on each character's
width and how it joins its neighbours, so it is taken once per *shape* of text
(:func:`text_lines`).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterator

__all__ = ["text_lines"]

# Widths at FONT_SIZE in Excel width units (7 pixels: a digit of Arial 10), as
# Excel measures them (the narrowest client: LibreOffice's units are a little
# wider): a full-width character is 1 em (12 px at 9 pt), a digit or letter
# about 0.56 em, a space or a comma about half that.
_CJK_UNITS = 1.715
_LATIN_UNITS = 0.955
_NARROW_UNITS = 0.48
_NARROW = set(" ,.:;'!|ilIjft()[]")
_BREAK_AFTER = set(" 　、，。；：！？）】」』,;")


def _char_units(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in "WF":
        return _CJK_UNITS
    return _NARROW_UNITS if ch in _NARROW else _LATIN_UNITS


class _Memo(dict):
    """A per-character table filled on first use (``fn(ch)``)."""

    def __init__(self, fn: Callable[[str], object]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, ch: str) -> object:
        v = self[ch] = self.fn(ch)
        return v


_UNITS = _Memo(_char_units)
_WIDE = _Memo(lambda ch: unicodedata.east_asian_width(ch) in "WF")
_SURE = 1e-6
"""A paragraph narrower than the cell by this much takes one line (the width
summed in another order differs by far less)."""
_MAX_UNITS = max(_CJK_UNITS, _LATIN_UNITS, _NARROW_UNITS) * 1.001
"""More than any character's width, however many are summed (float rounding
adds far less than 0.1 %)."""


def text_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` units wide (an estimate
    on the generous side: a row is made tall enough to show all of it).

    Lines break at newlines, after a full-width character or a space; a run of
    half-width characters (a number, a word) is kept whole.

    Examples
    --------
    >>> text_lines("医疗自付 32,400 元", 20), text_lines("因病\\n因学", 20)
    (1, 2)
    >>> text_lines("因" * 20, 10.5)
    4
    """
    # the estimate depends only on each character's width and how it joins
    # its neighbours: it is taken once per shape of text (its characters
    # replaced by one of each kind), and numbers, names and places of the same
    # shape share it
    return _shape_lines(str(text).translate(_SHAPE), width)


@functools.lru_cache(maxsize=8192)
def _shape_lines(text: str, width: float) -> int:
    room = max(width - 0.8, 1.0)  # less the cell's padding
    fits = room - _SURE
    units = _UNITS.__getitem__
    lines = 0
    for para in text.split("\n"):
        # a paragraph too short to reach the edge (every character at most
        # _MAX_UNITS wide), or whose width is short of it, takes one line
        if len(para) * _MAX_UNITS < fits or sum(map(units, para)) < fits:
            lines += 1
        else:
            lines += _para_lines(para, room)
    return lines


@functools.lru_cache(maxsize=8192)
def _para_lines(para: str, room: float) -> int:
    """Lines of one paragraph (its shape) that may not fit on one: tokens
    (:func:`_token_widths`) fill a line while the sum of their widths stays
    within ``room``; one that passes it starts the next line, and one longer
    than a line is broken anywhere. (Only a paragraph's first token can begin
    with a space, and a line never breaks before it: no token loses its
    spaces at a break.)"""
    lines = 1
    used = 0.0
    for w in _token_widths(para):
        if used and used + w > room:
            lines += 1
            used = 0.0
        while w > room:  # longer than a line: broken anywhere
            lines += 1
            w -= room
        used += w
    return lines


_WORD, _PUNCT, _TRAILING, _ALONE = range(4)


def _char_kind(ch: str) -> tuple[int, float]:
    """How a character joins tokens, and its width: full-width (a token of its
    own), a space or full-width punctuation (stays with what it follows),
    half-width punctuation after which a line may break (ends a word, or
    starts one), other half-width (part of a word)."""
    units = _UNITS[ch]
    if _WIDE[ch]:
        return (_TRAILING if ch in _BREAK_AFTER else _ALONE), units
    if ch == " ":
        return _TRAILING, units
    return (_PUNCT if ch in _BREAK_AFTER else _WORD), units


_KIND = _Memo(_char_kind)
_KINDS: dict[tuple[int, float], str] = {}
"""The first character met of each kind and width."""


def _shape_char(code: int) -> str:
    """The character that stands for ``chr(code)`` in a text's shape: the first
    one met of its kind and width (a newline stands for itself)."""
    ch = chr(code)
    return ch if ch == "\n" else _KINDS.setdefault(_KIND[ch], ch)


_SHAPE = _Memo(_shape_char)
"""Character code -> the character of its kind and width (:meth:`str.translate`)."""


def _token_widths(text: str) -> Iterator[float]:
    """The width of each piece a line may break between, in order: each
    full-width character, each run of half-width ones (a number, a word,
    ended by half-width punctuation), each with the spaces and punctuation
    that follow it. Summed character by character, as ``sum`` of the piece."""
    kind_of = _KIND.__getitem__
    last = word = 0.0  # the token before (it may still grow), the word being read
    has_last = in_word = False
    for ch in text:
        kind, units = kind_of(ch)
        if kind == _WORD or (kind == _PUNCT and not in_word):
            word = word + units if in_word else units
            in_word = True
            continue
        if in_word:  # the word ends here (with half-width punctuation in it)
            if kind == _PUNCT:
                word += units
            if has_last:
                yield last
            last, has_last, in_word = word, True, False
            if kind == _PUNCT:
                continue
        if kind == _TRAILING and has_last:
            last += units
        else:
            if has_last:
                yield last
            last, has_last = units, True
    if in_word:
        if has_last:
            yield last
        last, has_last = word, True
    if has_last:
        yield last
