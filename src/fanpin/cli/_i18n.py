"""The command line's language: Chinese (the default) or English.

The library speaks English; the command line shows its messages, summaries,
progress labels, errors, warnings and ``--help`` in the reader's language, looked
up in the message catalogue ``fanpin/locale/<lang>/LC_MESSAGES/fanpin.mo``
(gettext). English is the source language: an English run shows the templates
themselves.

Which language, first match wins:

1. ``--lang zh|en`` (a global option: ``fanpin --lang en score ...``);
2. the environment variable ``FANPIN_LANG`` (``zh`` or ``en``);
3. the locale: ``LC_ALL``, then ``LC_MESSAGES``, then ``LANG`` (and GNU's
   ``LANGUAGE`` list when the locale is not C): ``zh*`` is Chinese, ``en*``
   English, another language English (the source language);
4. Chinese, where the locale says nothing (unset, ``C``, ``POSIX``).

Help texts are translated when they are shown (:func:`translate_help`), so one
built command tree serves either language; typer's own labels (Options,
``[default: …]``, the error panel) and the usage errors that people meet most
(a missing option, an unknown option) are translated too.
"""

from __future__ import annotations

import functools
import gettext
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import Any

from rich.markup import escape

from ..exceptions import SchemaError
from ..messages import N_, Message

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "describe",
    "gettext_",
    "language",
    "language_from_args",
    "language_from_env",
    "normalise_language",
    "set_language",
    "tr",
    "translate_help",
    "translated_usage_errors",
]

LANGUAGES = ("zh", "en")
"""The languages of the command line."""
DEFAULT_LANGUAGE = "zh"
"""The language where neither the options nor the locale say one."""
DOMAIN = "fanpin"
"""The gettext domain (``fanpin.po``/``fanpin.mo``)."""
CATALOGUES = {"zh": "zh_CN"}
"""The catalogue of each translated language (English needs none)."""

MSG_BAD_LANG = N_("expected zh (Chinese) or en (English); got {value!r}.")
MSG_USAGE = N_("Usage: ")
MSG_HELP_OPTION = N_("Show this message and exit.")
MSG_MISSING_OPTION = N_("Missing option {hint}.")
MSG_MISSING_ARGUMENT = N_("Missing argument {hint}.")
MSG_MISSING_PARAMETER = N_("Missing parameter {hint}.")
MSG_NO_SUCH_OPTION = N_("No such option: {option}")
MSG_POSSIBLE_OPTIONS = N_("(Possible options: {options})")
MSG_BAD_VALUE = N_("Invalid value for {hint}: {message}")
MSG_BAD_VALUE_PLAIN = N_("Invalid value: {message}")
MSG_NO_SUCH_COMMAND = N_("No such command {name}.")
MSG_DID_YOU_MEAN = N_("Did you mean {names}?")
MSG_EXTRA_ARGUMENTS = N_("Got unexpected extra argument(s): {args}")
MSG_MISSING_COMMAND = N_("Missing command.")
MSG_OPTION_NEEDS_VALUE = N_("Option {option} requires an argument.")
MSG_NOT_INTEGER = N_("{value} is not a valid integer.")
MSG_NOT_NUMBER = N_("{value} is not a valid number.")
MSG_NOT_CHOICE = N_("{value} is not one of {choices}.")
MSG_NOT_IN_RANGE = N_("{value} is not in the range {range}.")
MSG_WHOLE_NUMBER = N_("must be a whole number.")
MSG_A_NUMBER = N_("must be a number.")
MSG_AT_LEAST = N_("must be at least {n}.")
MSG_AT_MOST = N_("must be at most {n}.")
MSG_ABOVE = N_("must be greater than {n}.")
MSG_BELOW = N_("must be less than {n}.")
MSG_BOOLEAN = N_("must be true or false.")
MSG_DATETIME = N_("must be a date (and time) like 2026-03-01 or 2026-03-01T10:00:00.")
MSG_NO_PATH = N_("{path} does not exist.")

#: typer's own labels (module constants of ``typer.rich_utils``), translated.
TYPER_TEXTS: Mapping[str, str] = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "DEPRECATED_STRING": N_("(deprecated) "),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}

_state = {"lang": DEFAULT_LANGUAGE}


def normalise_language(value: object) -> str | None:
    """``"zh_CN.UTF-8"`` -> ``"zh"``, ``"EN"`` -> ``"en"``; None for anything else.

    Examples
    --------
    >>> normalise_language("zh_CN.UTF-8"), normalise_language("en"), normalise_language("fr")
    ('zh', 'en', None)
    """  # noqa: E501
    text = str(value or "").strip().lower()
    for lang in LANGUAGES:
        if text == lang or text.startswith((f"{lang}_", f"{lang}-", f"{lang}.")):
            return lang
    return None


def language_from_env(env: Mapping[str, str] | None = None) -> str:
    """The language that ``FANPIN_LANG`` or the locale asks for.

    Examples
    --------
    >>> language_from_env({"LANG": "en_US.UTF-8"})
    'en'
    >>> language_from_env({"LANG": "C.UTF-8"}), language_from_env({})
    ('zh', 'zh')
    >>> language_from_env({"LANG": "en_US.UTF-8", "FANPIN_LANG": "zh"})
    'zh'
    """
    env = os.environ if env is None else env
    explicit = normalise_language(env.get("FANPIN_LANG"))
    if explicit is not None:
        return explicit
    locale = next(
        (env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), ""
    )
    if locale.split(".")[0].split("@")[0] in ("", "C", "POSIX"):
        return DEFAULT_LANGUAGE
    candidates = [*env.get("LANGUAGE", "").split(":"), locale]
    for candidate in candidates:
        lang = normalise_language(candidate)
        if lang is not None:
            return lang
    return "en"  # another language: the source language


def language_from_args(args: Sequence[str]) -> str | None:
    """The value of a global ``--lang`` in ``args`` (before the command name).

    Examples
    --------
    >>> language_from_args(["--lang", "en", "score", "--help"])
    'en'
    >>> language_from_args(["-v", "--lang=zh", "train"]), language_from_args(["train"])
    ('zh', None)
    """
    it = iter(args)
    for arg in it:
        if arg == "--lang":
            return normalise_language(next(it, None))
        if arg.startswith("--lang="):
            return normalise_language(arg.partition("=")[2])
        if not arg.startswith("-"):
            return None  # the command: its options are not global
    return None


@functools.cache
def _translations(lang: str) -> gettext.NullTranslations:
    catalogue = CATALOGUES.get(lang)
    if catalogue is None:
        return gettext.NullTranslations()
    localedir = resources.files("fanpin") / "locale"
    with resources.as_file(localedir) as path:
        return gettext.translation(
            DOMAIN, localedir=str(path), languages=[catalogue], fallback=True
        )


def language() -> str:
    """The language the command line speaks now (``"zh"`` or ``"en"``)."""
    return _state["lang"]


def set_language(lang: str) -> None:
    """Speak ``lang`` from now on (this process), typer's labels included."""
    if lang not in LANGUAGES:
        raise ValueError(Message(MSG_BAD_LANG, value=lang))
    _state["lang"] = lang
    from typer import rich_utils

    for name, text in TYPER_TEXTS.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, gettext_(text))


def gettext_(text: str) -> str:
    """``text`` (a catalogue template) in the current language."""
    return _translations(_state["lang"]).gettext(text)


def tr(text: str, /, **params: Any) -> str:
    """A message in the current language.

    ``text`` is a :class:`~fanpin.messages.Message`, or a template formatted with
    ``params`` (then each value that is a Message is translated too); any other
    string is looked up as it is.
    """
    if isinstance(text, Message):
        return text.in_language(gettext_)
    if params:
        return Message(text, **params).in_language(gettext_)
    return gettext_(text)


def describe(exc: BaseException) -> str:
    """What an error or warning says, in the current language.

    A :class:`~fanpin.exceptions.SchemaError` gives its header and one line per
    problem; an exception made from one message gives that message translated.
    """
    if isinstance(exc, SchemaError):
        return "\n".join([tr(exc.heading), *(f"  - {tr(p)}" for p in exc.problems)])
    if len(exc.args) == 1 and isinstance(exc.args[0], str):
        return tr(exc.args[0])
    return str(exc)


# -- help texts ---------------------------------------------------------------


def _help(text: str | None) -> str | None:
    """A help text translated, its paragraphs on one line each (as typer shows
    them), and escaped (rich must not read ``[dask]`` as a style)."""
    if not text:
        return text
    paragraphs = tr(text).split("\n\n")
    return escape("\n\n".join(" ".join(p.split("\n")) for p in paragraphs))


def _source(obj: object, names: Sequence[str]) -> dict[str, Any]:
    """The English texts of ``obj`` (kept on the first translation)."""
    store = obj.__dict__.setdefault("_fanpin_source", {})
    for name in names:
        store.setdefault(name, getattr(obj, name, None))
    return store


def translate_help(command: Any) -> None:
    """Put the current language's help texts on a click command tree.

    The English texts stay on each object (``_fanpin_source``), so the same tree
    can be translated again into the other language.
    """
    src = _source(command, ("help", "short_help", "epilog"))
    for name, text in src.items():
        setattr(command, name, _help(text))
    for param in getattr(command, "params", ()):
        psrc = _source(param, ("help",))
        if psrc["help"]:
            param.help = _help(psrc["help"])
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)


def translate_help_option(option: Any) -> Any:
    """The ``--help`` option with its help text translated."""
    if option is not None and getattr(option, "help", None):
        option.help = _help(_source(option, ("help",))["help"])
    return option


# -- usage errors ---------------------------------------------------------------

_QUOTED = r"(?:'[^']*'|\"[^\"]*\"|\S+)"
#: Messages of click/typer/pydantic about a value, and their templates.
_DETAILS = (
    (rf"(?P<value>{_QUOTED}) is not a valid integer\.?", MSG_NOT_INTEGER),
    (rf"(?P<value>{_QUOTED}) is not a valid float\.?", MSG_NOT_NUMBER),
    (rf"(?P<value>{_QUOTED}) is not one of (?P<choices>.+?)\.?", MSG_NOT_CHOICE),
    (rf"(?P<value>{_QUOTED}) is not in the range (?P<range>.+?)\.?", MSG_NOT_IN_RANGE),
    (r"Input should be a valid integer.*", MSG_WHOLE_NUMBER),
    (r"Input should be a valid (?:number|float).*", MSG_A_NUMBER),
    (r"Input should be greater than or equal to (?P<n>\S+?)\.?", MSG_AT_LEAST),
    (r"Input should be less than or equal to (?P<n>\S+?)\.?", MSG_AT_MOST),
    (r"Input should be greater than (?P<n>\S+?)\.?", MSG_ABOVE),
    (r"Input should be less than (?P<n>\S+?)\.?", MSG_BELOW),
    (r"Input should be a valid boolean.*", MSG_BOOLEAN),
    (r"(?:Input should be a valid (?:datetime|date)|Invalid isoformat).*",
     MSG_DATETIME),  # fmt: skip
    (rf"(?:Path|File|Directory) (?P<path>{_QUOTED}) does not exist\.?", MSG_NO_PATH),
)


def _detail(message: str) -> str:
    """A message of click/typer about a value, translated where it is known."""
    text = message.strip()
    if text.startswith("Value error, "):  # pydantic's wrapper of a ValueError
        text = text[len("Value error, ") :]
    for pattern, template in _DETAILS:
        m = re.fullmatch(pattern, text)
        if m:
            return tr(template, **m.groupdict())
    return tr(text)


def _hint(exc: Any) -> str:
    hint = getattr(exc, "param_hint", None)
    if hint is None and getattr(exc, "param", None) is not None:
        try:
            hint = exc.param.get_error_hint()  # typer's own click
        except TypeError:
            hint = exc.param.get_error_hint(exc.ctx)  # click
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(repr(h) for h in hint)
    return hint or ""


def usage_error_text(exc: Any) -> str:
    """The message of a click/typer usage error, in the current language."""
    kind = type(exc).__name__
    if kind == "MissingParameter":
        ptype = exc.param_type or getattr(exc.param, "param_type_name", "")
        template = {
            "option": MSG_MISSING_OPTION,
            "argument": MSG_MISSING_ARGUMENT,
        }.get(ptype, MSG_MISSING_PARAMETER)
        return tr(template, hint=_hint(exc)).replace("  ", " ")
    if kind == "NoSuchOption":
        text = tr(MSG_NO_SUCH_OPTION, option=exc.option_name)
        if exc.possibilities:
            options = ", ".join(sorted(exc.possibilities))
            text += " " + tr(MSG_POSSIBLE_OPTIONS, options=options)
        return text
    if hasattr(exc, "param_hint"):  # BadParameter and its kin
        hint = _hint(exc)
        detail = _detail(exc.message)
        if hint:
            return tr(MSG_BAD_VALUE, hint=hint, message=detail)
        return tr(MSG_BAD_VALUE_PLAIN, message=detail)
    message = exc.format_message()
    m = re.match(r"^No such command (.+?)\.(?: Did you mean (.+)\?)?$", message)
    if m:
        text = tr(MSG_NO_SUCH_COMMAND, name=m.group(1))
        if m.group(2):
            text += " " + tr(MSG_DID_YOU_MEAN, names=m.group(2))
        return text
    m = re.match(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", message)
    if m:
        return tr(MSG_EXTRA_ARGUMENTS, args=m.group(1))
    if message == "Missing command.":
        return tr(MSG_MISSING_COMMAND)
    m = re.match(r"^Option (\S+) requires an argument\.?$", message)
    if m:
        return tr(MSG_OPTION_NEEDS_VALUE, option=m.group(1))
    return _detail(message)


@contextmanager
def translated_usage_errors() -> Iterator[None]:
    """Re-raise a usage error with its message in the current language.

    The new error is a plain usage error (same exit code 2, same context), so
    typer shows it in its error panel as usual. English errors pass unchanged.
    """
    import typer

    usage_error = next(
        c for c in type.mro(typer.BadParameter) if c.__name__ == "UsageError"
    )
    try:
        yield
    except usage_error as exc:
        if (
            language() == "en"
            or getattr(exc, "_fanpin_translated", False)
            or type(exc).__name__ == "NoArgsIsHelpError"
        ):
            raise
        new = usage_error(usage_error_text(exc), ctx=exc.ctx)
        new.exit_code = exc.exit_code
        new._fanpin_translated = True
        raise new from None
