"""Atomic writers: a temporary file in the target's folder, then an atomic rename.

An interrupted run leaves the previous output intact and never a half-written file.
"""

from __future__ import annotations

import glob
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..exceptions import OutputError

__all__ = ["atomic_path", "process_alive", "write_table", "write_text"]


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (owner of a temporary or work file)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _remove_stale(target: Path) -> None:
    """Remove temporary siblings left by a killed writer of the same target.

    Temporary names carry the writer's process id; only files of processes that
    no longer run are removed, so concurrent writers are left alone.
    """
    prefix = f".{target.name}."
    for p in target.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        pid = p.name[len(prefix) :].split(".", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            p.unlink(missing_ok=True)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    On any error the temporary file is removed and ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(target)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
        )
        os.close(fd)
        # mkstemp creates 0600 files; give the output the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
    except OSError as exc:
        raise OutputError(
            f"Cannot write {str(target)!r}: {exc.strerror or exc}. Choose a folder "
            "you can "
            "write to (check permissions and free space)."
        ) from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(
            f"Cannot write {str(target)!r}: {exc.strerror or exc}. Choose a folder "
            "you can "
            "write to (check permissions and free space)."
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(text: str, path: str | Path) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_table(
    df: pd.DataFrame,
    path: str | Path,
    *,
    headers: Mapping[str, str] | None = None,
) -> Path:
    """Write a table atomically, the format chosen by the suffix.

    ``.csv`` is written as UTF-8 with a BOM (so that Excel shows Chinese text),
    ``.parquet`` with pyarrow, ``.xlsx`` with openpyxl. ``headers`` renames columns
    on the way out (e.g. English to Chinese).
    """
    p = Path(path)
    out = df.rename(columns=dict(headers)) if headers else df
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq", ".xlsx"):
        raise OutputError(
            f"Cannot write {p.name!r}: unknown output type {suffix!r}. Use .csv, "
            ".parquet "
            "or .xlsx."
        )
    with atomic_path(p) as tmp:
        if suffix == ".csv":
            out.to_csv(tmp, index=False, encoding="utf-8-sig")
        elif suffix in (".parquet", ".pq"):
            out.to_parquet(tmp, index=False)
        else:
            out.to_excel(tmp, index=False, engine="openpyxl")
    return p
