"""Messages that the command line can show in Chinese or English.

The library speaks English to developers: every error and warning it raises has an
English ``str()``. The people who read fanpin's messages at the command line are
county and township staff, so each message also remembers the template it was made
from and its parameters; the CLI looks the template up in the message catalogue
(gettext, ``fanpin/locale``) and formats the translation with the same parameters.

Two pieces:

- :func:`N_` marks a message template (a module constant) for the catalogue. It
  returns the template unchanged (``gettext_noop``); the extraction tool finds the
  marked strings.
- :class:`Message` is a ``str`` (the English text, so every existing use keeps
  working) that carries ``template`` and ``params``; :meth:`Message.in_language`
  gives the text in another language (not named ``translate``: that is
  ``str.translate``, which rich and others call on any string).

Examples
--------
>>> MSG_MISSING = N_("Column {column!r} is missing from {path}.")
>>> msg = Message(MSG_MISSING, column="年度", path="panel.csv")
>>> msg
"Column '年度' is missing from panel.csv."
>>> zh = {MSG_MISSING: "{path} 缺少列 {column!r}。"}
>>> msg.in_language(lambda t: zh.get(t, t))
"panel.csv 缺少列 '年度'。"
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["MSG_DID_YOU_MEAN", "Message", "N_", "did_you_mean", "translate"]

Translator = Callable[[str], str]


def N_(template: str) -> str:
    """Mark ``template`` for the message catalogue and return it unchanged."""
    return template


class Message(str):
    """An English message that remembers its template and parameters.

    Parameters
    ----------
    template : str
        A :func:`N_`-marked template in :meth:`str.format` syntax.
    **params
        The values to format it with. A value that is itself a :class:`Message`
        is translated with the message around it.
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Message:
        text = template.format(**params) if params else template
        self = super().__new__(cls, text)
        self.template = template
        self.params = params
        return self

    def in_language(self, gettext: Translator) -> str:
        """This message in the language of ``gettext`` (template -> translation).

        Falls back to the English text if the translation cannot be formatted with
        this message's parameters (a catalogue error must never hide the message).
        """
        params = {key: translate(value, gettext) for key, value in self.params.items()}
        try:
            return gettext(self.template).format(**params)
        except (KeyError, IndexError, ValueError, AttributeError):
            return str(self)

    def __reduce__(self) -> tuple[Any, ...]:  # pickles whole (Dask workers)
        return _rebuild, (self.template, self.params)


def _rebuild(template: str, params: Mapping[str, Any]) -> Message:
    return Message(template, **params)


MSG_DID_YOU_MEAN = N_(" (did you mean {names}?)")


def did_you_mean(word: object, candidates: Iterable[object]) -> Message | str:
    """`` (did you mean 'x'?)`` for the nearest candidates (as a :class:`Message`,
    to put in another message's parameters), or ``""`` when none is near.

    Examples
    --------
    >>> did_you_mean("hgh", ["high", "low"])
    " (did you mean 'high'?)"
    >>> did_you_mean("zzz", ["high", "low"])
    ''
    """
    near = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=3)
    if not near:
        return ""
    return Message(MSG_DID_YOU_MEAN, names=", ".join(repr(n) for n in near))


def translate(value: Any, gettext: Translator) -> Any:
    """``value`` translated if it is a :class:`Message` (or a list/tuple of them)."""
    if isinstance(value, Message):
        return value.in_language(gettext)
    if isinstance(value, (list, tuple)):
        return type(value)(translate(v, gettext) for v in value)
    return value
