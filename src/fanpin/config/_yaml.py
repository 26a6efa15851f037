"""Reading YAML config files with errors that say which file and how to fix it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..exceptions import ConfigError

__all__ = ["default_config_path", "read_yaml"]


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
        data = yaml.safe_load(text)
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
