"""Replacing a model directory whole: a new sibling written first, then swapped
in with renames, so a kill at any moment leaves the previous good model (or the
new one) in place, never a mix or nothing.

(A generic helper for output folders is planned in ``fanpin.io``; until it
lands, the model directory has this one.)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from ..exceptions import OutputError
from ..io import process_alive
from ..messages import N_, Message

__all__ = ["interrupted_sibling", "replace_directory"]

MSG_NOT_A_MODEL_DIR = N_(
    "{path} exists and is not a model directory (it holds files but no {card}); "
    "fanpin replaces a model directory whole, so it will not write there. Choose a "
    "new or empty folder for --out."
)
MSG_NOT_A_DIR = N_("{path} exists and is not a folder; choose a folder for --out.")
MSG_CANNOT_WRITE = N_("Cannot write the model directory {path}: {why}.")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _siblings(target: Path, suffix: str) -> list[tuple[Path, int]]:
    prefix = f".{target.name}."
    out = []
    for p in target.parent.glob(f".{target.name}.*.{suffix}"):
        pid = p.name[len(prefix) : -len(suffix) - 1]
        if pid.isdigit():
            out.append((p, int(pid)))
    return out


def interrupted_sibling(target: str | Path) -> Path | None:
    """The previous model directory set aside by a swap that was killed between
    its two renames (only when ``target`` itself is missing)."""
    target = Path(target)
    if target.exists():
        return None
    for p, pid in _siblings(target, "old"):
        if not process_alive(pid):
            return p
    return None


def _recover(target: Path) -> None:
    """Undo what a killed writer left: put back a set-aside model, drop its
    half-written new one."""
    old = interrupted_sibling(target)
    if old is not None:
        os.rename(old, target)
    for suffix in ("new", "old"):
        for p, pid in _siblings(target, suffix):
            if not process_alive(pid):
                shutil.rmtree(p, ignore_errors=True)


def replace_directory(
    target: str | Path, write: Callable[[Path], None], *, marker: str
) -> Path:
    """Write a directory with ``write(tmp)`` and swap it in place of ``target``.

    ``marker`` is a file every directory of this kind holds: an existing,
    non-empty ``target`` without it is refused (it is not ours to replace).
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _recover(target)
        if target.exists() and not target.is_dir():
            raise OutputError(Message(MSG_NOT_A_DIR, path=str(target)))
        if (
            target.is_dir()
            and any(target.iterdir())
            and not (target / marker).is_file()
        ):
            raise OutputError(
                Message(MSG_NOT_A_MODEL_DIR, path=str(target), card=marker)
            )
        pid = os.getpid()
        new = target.parent / f".{target.name}.{pid}.new"
        old = target.parent / f".{target.name}.{pid}.old"
        shutil.rmtree(new, ignore_errors=True)
        new.mkdir()
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise OutputError(
            Message(MSG_CANNOT_WRITE, path=str(target), why=exc.strerror or exc)
        ) from None
    try:
        write(new)
        _fsync_dir(new)
        if target.exists():
            os.rename(target, old)
            os.rename(new, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(new, target)
        _fsync_dir(target.parent)
    except BaseException as exc:
        shutil.rmtree(new, ignore_errors=True)
        if old.exists() and not target.exists():
            os.rename(old, target)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(
                Message(MSG_CANNOT_WRITE, path=str(target), why=exc.strerror or exc)
            ) from None
        raise
    return target
