"""Reading YAML config files with errors that say which file and how to fix it.

Every config file of fanpin is read here, with PyYAML's safe loader made
strict: a key given twice in one mapping is an error (YAML would keep the last
one silently), and so is nesting deeper than :data:`MAX_DEPTH` (a config is a
few levels deep; 5,000 levels exhaust Python's stack).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..exceptions import ConfigError
from ..messages import N_, Message

__all__ = ["MAX_DEPTH", "default_config_path", "read_yaml", "refuse_unknown_sections"]

MAX_DEPTH = 50
"""Deepest nesting of mappings and lists accepted in a config file."""

MSG_DUPLICATE_KEY = N_(
    "Config file {path!r} gives the key {key!r} twice in the same mapping (lines "
    "{first} and {second}); YAML would silently keep the last one. Delete one of "
    "them."
)
MSG_TOO_DEEP = N_(
    "Config file {path!r} is nested more than {depth} levels deep (at line {line}); "
    "fanpin's configs are a few levels deep. Check the file's indentation and "
    "brackets."
)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and deep nesting."""

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _TooDeep(mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # noqa: ANN001
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # PyYAML reports unhashable keys itself
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _Duplicate(key, seen[key], line)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


class _Duplicate(Exception):
    def __init__(self, key: object, first: int, second: int):
        self.key, self.first, self.second = key, first, second


def default_config_path(name: str) -> Path:
    """Path of a config file shipped with fanpin (``configs/<name>``).

    Examples
    --------
    >>> default_config_path("monitoring_lines.yaml").name
    'monitoring_lines.yaml'
    """
    return Path(str(resources.files("fanpin") / "configs" / name))


def read_yaml(path: str | Path | None, default_name: str) -> tuple[Any, Path]:
    """Read a YAML file, or the shipped default when ``path`` is None.

    Returns the parsed content and the path it came from.
    """
    p = default_config_path(default_name) if path is None else Path(path)
    if not p.is_file():
        raise ConfigError(
            f"Config file {str(p)!r} was not found. Expected a YAML file like the "
            f"shipped configs/{default_name}; pass an existing path or leave the "
            "option out to use the default."
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"Config file {str(p)!r} is not UTF-8 text ({exc.reason}). Save it as "
            "UTF-8."
        ) from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader
    except _Duplicate as dup:
        raise ConfigError(
            Message(
                MSG_DUPLICATE_KEY,
                path=str(p),
                key=dup.key,
                first=dup.first,
                second=dup.second,
            )
        ) from None
    except (_TooDeep, RecursionError) as deep:
        line = getattr(deep, "line", "?")
        raise ConfigError(
            Message(MSG_TOO_DEEP, path=str(p), depth=MAX_DEPTH, line=line)
        ) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        loc = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        raise ConfigError(
            f"Config file {str(p)!r} is not valid YAML{loc}: "
            f"{getattr(exc, 'problem', exc)}. Fix the syntax (indentation, colons)."
        ) from None
    if data is None:
        raise ConfigError(f"Config file {str(p)!r} is empty; expected a mapping.")
    return data, p


def refuse_unknown_sections(
    data: Any, known: set[str], template: str, path: Path
) -> None:
    """Raise a ConfigError (``template``, with ``path``, ``unknown``, ``hint``
    and ``allowed``) when the top-level mapping ``data`` has a section not in
    ``known``; the hint suggests the closest known name."""
    from ..exceptions import ConfigError
    from ..messages import Message, did_you_mean

    unknown = set(map(str, data)) - known
    if unknown:
        raise ConfigError(
            Message(
                template,
                path=str(path),
                unknown=sorted(unknown),
                hint=did_you_mean(sorted(unknown)[0], known),
                allowed=sorted(known),
            )
        )
