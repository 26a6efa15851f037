"""The one check of an input path, before any reader opens it.

A path given by a user may be missing, a folder, a symbolic link that loops, a
pipe or a terminal (``/dev/stdin``), unreadable, or empty. Each gets its own
message saying what was found and what to pass instead; every reader of
:mod:`fanpin.io` calls :func:`check_input_file` first.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..exceptions import InputError
from ..messages import N_, Message

__all__ = ["check_input_file"]

MSG_NO_FILE = N_("Input file {path!r} does not exist. Check the path.")
MSG_IS_DIR = N_(
    "Input {path!r} is a folder, not a file. Pass the file inside it (for example "
    "{path}/panel.xlsx)."
)
MSG_LINK_LOOP = N_(
    "Input {path!r} is a symbolic link that points to itself (a loop). Pass the real "
    "file."
)
MSG_NOT_REGULAR = N_(
    "Input {path!r} is not a regular file (it is a {kind}). fanpin reads a file "
    "more than once, so it cannot read from a pipe or a terminal: save the data to "
    "a file first and pass that file."
)
MSG_UNREADABLE = N_(
    "Input file {path!r} cannot be read: {reason}. Check the file's permissions "
    "(ls -l) or copy it to a folder you can read."
)
MSG_EMPTY = N_("Input file {name!r} is empty (0 bytes). Export it again.")

_KINDS = (
    (stat.S_ISFIFO, "pipe (FIFO)"),
    (stat.S_ISCHR, "character device, such as a terminal"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
)


def check_input_file(path: str | Path) -> Path:
    """``path`` as a :class:`~pathlib.Path` if it is a readable, non-empty file.

    Raises
    ------
    InputError
        Saying whether the path is missing, a folder, a link loop, a pipe or
        device, unreadable or empty.

    Examples
    --------
    >>> import tempfile
    >>> check_input_file(tempfile.gettempdir())
    Traceback (most recent call last):
    ...
    fanpin.exceptions.InputError: Input '...' is a folder, not a file. ...
    """
    p = Path(path)
    shown = str(p)
    try:
        st = p.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(Message(MSG_LINK_LOOP, path=shown)) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise InputError(
                Message(MSG_UNREADABLE, path=shown, reason="permission denied")
            ) from None
        raise InputError(Message(MSG_NO_FILE, path=shown)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(Message(MSG_IS_DIR, path=shown))
    for test, kind in _KINDS:
        if test(st.st_mode):
            raise InputError(Message(MSG_NOT_REGULAR, path=shown, kind=kind))
    try:
        fd = os.open(p, os.O_RDONLY)
        os.close(fd)
    except OSError as exc:
        reason = (
            "permission denied"
            if exc.errno in (errno.EACCES, errno.EPERM)
            else (exc.strerror or str(exc))
        )
        raise InputError(Message(MSG_UNREADABLE, path=shown, reason=reason)) from None
    if st.st_size == 0:
        raise InputError(Message(MSG_EMPTY, name=p.name))
    return p
