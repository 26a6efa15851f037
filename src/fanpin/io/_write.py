"""Atomic writers: a temporary file in the target's folder, then an atomic rename;
a whole folder written beside its target, then swapped in.

An interrupted run leaves the previous output intact and never a half-written
file, and never a folder that mixes two runs. Every CSV cell fanpin writes is
safe to open in a spreadsheet (:func:`fanpin.io.safe_frame`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fnmatch
import glob
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..exceptions import DataRepairWarning, OutputError
from ..messages import N_, Message
from ._text import TextRepair, safe_frame

__all__ = [
    "MANIFEST",
    "atomic_path",
    "check_apart",
    "csv_ready",
    "process_alive",
    "recover_directory",
    "interrupted_directory",
    "replace_directory",
    "write_table",
    "warn_text_repairs",
    "write_text",
]

MANIFEST = ".fanpin-output.json"
"""Written last into a folder that :func:`replace_directory` fills: the files it
holds. A folder with it was written whole by fanpin."""

MSG_CANNOT_WRITE = N_(
    "Cannot write {path!r}: {reason}. Choose a folder you can write to (check "
    "permissions and free space)."
)
MSG_UNKNOWN_SUFFIX = N_(
    "Cannot write {name!r}: unknown output type {suffix!r}. Use .csv, .parquet or "
    ".xlsx."
)
MSG_FOREIGN_FILES = N_(
    "The output folder {path!r} holds files fanpin did not write ({files}). fanpin "
    "replaces its output folder whole, so they would be deleted: move them, or "
    "choose another --out."
)
MSG_NOT_A_FOLDER = N_(
    "The output {path!r} is a file, not a folder; choose a folder for --out."
)
MSG_OUT_IS_INPUT = N_(
    "The output {out!r} would overwrite the input {input!r} ({how}); choose "
    "another output path."
)
MSG_HOW_SAME = N_("it is the same file")
MSG_HOW_INSIDE = N_("the input lies inside the output folder, which is replaced")
MSG_CSV_REPAIRED = N_(
    "{file}: column {column!r} had {n} value(s) with {what}; {done} (values not shown)."
)
MSG_WHAT_CONTROL = N_("control characters")
MSG_DONE_CONTROL = N_("they were removed")
MSG_WHAT_PERSONAL = N_("ID- or phone-like numbers")
MSG_DONE_PERSONAL = N_("they were masked with #")


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
        raise OutputError(_cannot_write(target, exc)) from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(_cannot_write(target, exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _cannot_write(target: Path, exc: OSError) -> Message:
    return Message(MSG_CANNOT_WRITE, path=str(target), reason=exc.strerror or str(exc))


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
    ``.parquet`` with pyarrow, ``.xlsx`` with XlsxWriter (text cells as
    strings). ``headers`` renames columns on the way out (e.g. English to
    Chinese). Text cells are made safe first
    (:func:`csv_ready`): no control characters, personal numbers masked in place
    columns and, in CSV and Excel, no cell a spreadsheet would run as a formula.
    """
    p = Path(path)
    out = df.rename(columns=dict(headers)) if headers else df
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq", ".xlsx"):
        raise OutputError(Message(MSG_UNKNOWN_SUFFIX, name=p.name, suffix=suffix))
    out = csv_ready(out, p, formulas=suffix == ".csv")
    with atomic_path(p) as tmp:
        if suffix == ".csv":
            out.to_csv(tmp, index=False, encoding="utf-8-sig")
        elif suffix in (".parquet", ".pq"):
            out.to_parquet(tmp, index=False)
        else:
            options = {  # every text a string: never a formula, URL or number
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            }
            with pd.ExcelWriter(
                tmp, engine="xlsxwriter", engine_kwargs={"options": options}
            ) as xw:
                xw.book.set_properties({"created": datetime(1980, 1, 1)})
                out.to_excel(xw, index=False)
    return p


def csv_ready(
    df: pd.DataFrame, path: str | Path, *, formulas: bool = True
) -> pd.DataFrame:
    """``df`` made safe to write to ``path`` (see :func:`fanpin.io.safe_frame`).

    Text cells that a spreadsheet would run (``=``, ``+``, ``-``, ``@``, tab,
    carriage return first) get a leading ``'`` when ``formulas``; control
    characters are removed and ID- or phone-like numbers in place columns are
    masked, each with a warning naming the file and column (never the values).

    Examples
    --------
    >>> out = csv_ready(pd.DataFrame({"v": ["=1+1"], "n": [-3]}), "a.csv")
    >>> out["v"].tolist(), out["n"].tolist()
    (["'=1+1"], [-3])
    """
    out, repairs = safe_frame(df, formulas=formulas)
    warn_text_repairs(path, repairs)
    return out


def warn_text_repairs(path: str | Path, repairs: Iterable[TextRepair]) -> None:
    """One :class:`DataRepairWarning` per column :func:`safe_frame` repaired."""
    totals: dict[tuple[str, str], int] = {}
    for r in repairs:
        totals[r.column, r.kind] = totals.get((r.column, r.kind), 0) + r.n
    for (column, kind), n in totals.items():
        what, done = (
            (MSG_WHAT_CONTROL, MSG_DONE_CONTROL)
            if kind == "control"
            else (MSG_WHAT_PERSONAL, MSG_DONE_PERSONAL)
        )
        warnings.warn(
            Message(
                MSG_CSV_REPAIRED,
                file=Path(path).name,
                column=column,
                n=n,
                what=Message(what),
                done=Message(done),
            ),
            DataRepairWarning,
            stacklevel=4,
        )


# -- inputs and outputs apart -------------------------------------------------------
def check_apart(outputs: Iterable[str | Path], inputs: Iterable[str | Path | None]):
    """Refuse an output that is an input, or a folder an input lies inside.

    Examples
    --------
    >>> check_apart(["out/alerts"], ["panel.csv"])
    >>> check_apart(["p.csv"], ["./p.csv"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fanpin.exceptions.OutputError: The output 'p.csv' would overwrite the input ...
    """
    ins = [Path(i) for i in inputs if i is not None]
    for out in map(Path, outputs):
        o = out.resolve()
        for i in ins:
            r = i.resolve()
            same = r == o or (o.exists() and r.exists() and os.path.samefile(o, r))
            if same or o in r.parents:
                how = MSG_HOW_SAME if same else MSG_HOW_INSIDE
                raise OutputError(
                    Message(
                        MSG_OUT_IS_INPUT, out=str(out), input=str(i), how=Message(how)
                    )
                )


# -- whole folders --------------------------------------------------------------------
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where not supported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the filesystem cannot
        return False
    raise OSError(err, os.strerror(err), str(b))


def _siblings(target: Path) -> list[tuple[Path, int, str]]:
    """Work folders of writers of ``target``: (path, writer pid, kind)."""
    prefix = f".{target.name}."
    out = []
    for p in target.parent.glob(f"{glob.escape(prefix)}*"):
        pid, _, rest = p.name[len(prefix) :].partition(".")
        kind = rest.rsplit(".", 1)[-1]
        if pid.isdigit() and kind in ("tmp", "done", "old") and p.is_dir():
            out.append((p, int(pid), kind))
    return out


def interrupted_directory(path: str | Path) -> Path | None:
    """The folder :func:`recover_directory` would put back at a missing ``path``.

    A writer killed between the two renames of a swap (on filesystems without
    an atomic exchange) leaves nothing at ``path``: its complete new folder, or
    the previous one set aside, is beside it. Readers call this to say so
    instead of "not found" (they do not repair: the next writer does). None
    when ``path`` exists or no dead writer left a folder.
    """
    target = Path(path)
    if target.exists():
        return None
    dead = [(p, kind) for p, pid, kind in _siblings(target) if not process_alive(pid)]
    for kind in ("done", "old"):
        found = sorted((p for p, k in dead if k == kind), key=os.path.getmtime)
        if found:
            return found[-1]
    return None


def recover_directory(path: str | Path) -> None:
    """Finish or undo a swap a killed writer left half done; remove its leftovers.

    Only work folders of processes that no longer run are touched. A folder
    whose writer died between the two renames of a swap (on filesystems without
    an atomic exchange) is put back: the complete new folder, else the old one.
    """
    target = Path(path)
    back = interrupted_directory(target)
    if back is not None:
        os.rename(back, target)
    for p, pid, _ in _siblings(target):
        if process_alive(pid):
            continue
        if p.exists():
            shutil.rmtree(p, ignore_errors=True)


def _owned(rel: str, patterns: Iterable[str]) -> bool:
    first = rel.split("/", 1)[0]
    return any(
        fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(first, pat) for pat in patterns
    )


def _check_replaceable(target: Path, owned: Iterable[str]) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(Message(MSG_NOT_A_FOLDER, path=str(target)))
    files = sorted(
        p.relative_to(target).as_posix() for p in target.rglob("*") if not p.is_dir()
    )
    listed: set[str] = set()
    manifest = target / MANIFEST
    if manifest.is_file():
        try:
            listed = set(json.loads(manifest.read_text("utf-8")).get("files", []))
        except (ValueError, AttributeError, OSError):
            listed = set()
    patterns = [*owned, MANIFEST]
    foreign = [f for f in files if f not in listed and not _owned(f, patterns)]
    if foreign:
        shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
        raise OutputError(Message(MSG_FOREIGN_FILES, path=str(target), files=shown))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def replace_directory(path: str | Path, *, owned: Iterable[str] = ()) -> Iterator[Path]:
    """Yield a new, empty folder beside ``path``; on success it replaces ``path`` whole.

    Write every output into the yielded folder. When the block ends without
    error, a manifest (:data:`MANIFEST`) listing the files is written last and
    the folder is swapped in for ``path`` (an atomic exchange where the
    filesystem has one, else two renames that :func:`recover_directory` can
    finish). On error, or if the process is killed, ``path`` keeps its previous
    content and the new folder is removed (now, or by the next writer).

    An existing ``path`` may hold only what fanpin wrote there: files listed in
    its manifest or matching ``owned`` (glob patterns of files an older fanpin
    wrote); anything else is refused, since it would be deleted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "alerts"
    >>> with replace_directory(out) as stage:
    ...     _ = (stage / "alerts.csv").write_text("a")
    >>> sorted(p.name for p in out.iterdir())
    ['.fanpin-output.json', 'alerts.csv']
    """
    target = Path(path)
    owned = tuple(owned)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        recover_directory(target)
        _check_replaceable(target, owned)
        stage = Path(
            tempfile.mkdtemp(
                prefix=f".{target.name}.{os.getpid()}.",
                suffix=".tmp",
                dir=target.parent,
            )
        )
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(stage, 0o777 & ~umask)  # the mode a plain mkdir gives, not 0700
    except OSError as exc:
        raise OutputError(_cannot_write(target, exc)) from None
    try:
        yield stage
        files = sorted(
            p.relative_to(stage).as_posix() for p in stage.rglob("*") if not p.is_dir()
        )
        with open(stage / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump({"files": files}, fh, ensure_ascii=False, indent=0)
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(stage)
        done = stage.with_name(stage.name[: -len(".tmp")] + ".done")
        os.rename(stage, done)
        stage = done
        if not target.exists():
            os.rename(done, target)
        elif _exchange(done, target):
            shutil.rmtree(done, ignore_errors=True)  # now holds the old folder
        else:
            old = done.with_name(done.name[: -len(".done")] + ".old")
            os.rename(target, old)
            os.rename(done, target)
            shutil.rmtree(old, ignore_errors=True)
        _fsync_dir(target.parent)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise OutputError(_cannot_write(target, exc)) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
