"""The one font that draws Chinese in every chart (report and plotting).

fanpin ships its CJK font as a dependency: the PyPI package ``noto-cjk-sans-otc``
holds Noto Sans CJK (Regular, SIL Open Font License 1.1) as one OpenType
collection whose faces cover Japanese, Korean, simplified and traditional
Chinese. :func:`register_cjk_font` adds the simplified-Chinese face (Noto Sans
CJK SC) to matplotlib at run time, so no system font is ever needed and every
machine draws the same glyphs (the charts' PNG bytes do not depend on what
fonts the machine has). It is the only place that registers fonts: the report
(:mod:`fanpin.report`) and the notebook helpers (:mod:`fanpin.plotting`) both
go through :func:`find_cjk_font`.

matplotlib 3.11 reads every face of a collection (``.ttc``). Older versions
read only the first face (Noto Sans CJK JP, whose glyph shapes are the
Japanese ones), so for them the SC face is copied once, with fontTools (a
dependency of matplotlib), into matplotlib's cache folder.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from ..messages import N_

__all__ = [
    "FONT_FAMILY",
    "MSG_NO_CJK_FONT",
    "ChartFontWarning",
    "cjk_font_path",
    "find_cjk_font",
    "packaged_font_file",
    "register_cjk_font",
]

logger = logging.getLogger(__name__)

FONT_PACKAGE = "noto_cjk_sans_otc"
"""The import name of the PyPI package ``noto-cjk-sans-otc`` (a core dependency)."""
FONT_FILE = "NotoSansCJK-Regular.ttc"
FONT_FAMILY = "Noto Sans CJK SC"
"""The family every chart uses for Chinese text."""
_SC_FACE = "NotoSansCJKsc-Regular"  # PostScript name of the face to use

#: Families of system fonts tried when the font package is missing (a broken
#: install): never used when the package is there.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
)
#: Characters a font must have to be used for the charts' labels.
_PROBE = "防返贫风险县户稳定偏移"

MSG_NO_CJK_FONT = N_(
    "No font with Chinese characters was found, so the charts use English labels "
    "only (the HTML text stays bilingual). fanpin's font comes with the package "
    "noto-cjk-sans-otc, which is missing or damaged: reinstall fanpin (pip install "
    "--force-reinstall noto-cjk-sans-otc) and run the report again."
)


class ChartFontWarning(UserWarning):
    """No CJK font was found; charts fall back to English-only labels."""


def packaged_font_file() -> Path | None:
    """The Noto Sans CJK collection shipped by ``noto-cjk-sans-otc``, or None.

    Examples
    --------
    >>> path = packaged_font_file()
    >>> path is None or path.name == "NotoSansCJK-Regular.ttc"
    True
    """
    try:
        from importlib.resources import files

        path = Path(str(files(FONT_PACKAGE) / FONT_FILE))
    except (ImportError, TypeError):  # not installed / not a regular package
        return None
    return path if path.is_file() else None


def _covers(path: str | Path, face_index: int = 0) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = (
            FT2Font(path, face_index=face_index) if face_index else FT2Font(str(path))
        )
        charmap = font.get_charmap()
    except (OSError, RuntimeError, ValueError, TypeError):
        return False
    return all(ord(ch) in charmap for ch in _PROBE)


def _reads_collections() -> bool:
    """Whether this matplotlib registers every face of a .ttc (3.11 and later)."""
    from matplotlib import font_manager

    return hasattr(font_manager, "FontPath")


def _sc_face_file(collection: Path) -> Path | None:
    """The SC face of ``collection`` as its own .otf (for matplotlib < 3.11).

    Written once into matplotlib's cache folder, atomically; None if fontTools
    cannot read the collection.
    """
    import os
    import tempfile

    import matplotlib
    from fontTools.ttLib import TTCollection

    out = Path(matplotlib.get_cachedir()) / f"fanpin-{_SC_FACE}.otf"
    if out.is_file() and out.stat().st_size > 0:
        return out
    try:
        fonts = TTCollection(str(collection)).fonts
        face = next(f for f in fonts if f["name"].getDebugName(6) == _SC_FACE)
        fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".otf.tmp")
        os.close(fd)
        face.save(tmp)
        os.replace(tmp, out)
    except (OSError, StopIteration, KeyError, ValueError) as exc:
        logger.warning("cannot extract %s from %s: %s", _SC_FACE, collection, exc)
        return None
    return out


@lru_cache(maxsize=1)
def register_cjk_font() -> str | None:
    """Register the packaged Noto Sans CJK SC with matplotlib; its family or None.

    Idempotent and cached for the process: the font is added to matplotlib's
    font manager once (nothing is written to the system, nothing downloaded).
    Returns None only when the font package is missing or unreadable.

    Examples
    --------
    >>> register_cjk_font() in (None, "Noto Sans CJK SC")
    True
    """
    collection = packaged_font_file()
    if collection is None:
        return None
    from matplotlib import font_manager

    path = collection if _reads_collections() else _sc_face_file(collection)
    if path is None:
        return None
    try:
        font_manager.fontManager.addfont(str(path))
    except (OSError, RuntimeError, ValueError) as exc:
        logger.warning("cannot register %s with matplotlib: %s", path, exc)
        return None
    names = {f.name for f in font_manager.fontManager.ttflist}
    if FONT_FAMILY not in names:
        return None
    logger.debug("chart font: %s (%s)", FONT_FAMILY, path)
    return FONT_FAMILY


def _system_cjk_font() -> str | None:
    """A system font that draws Chinese (only when the package font is missing)."""
    from matplotlib import font_manager

    fonts = sorted(font_manager.fontManager.ttflist, key=lambda f: (f.name, f.fname))
    by_name: dict[str, list[str]] = {}
    for f in fonts:
        by_name.setdefault(f.name, []).append(f.fname)
    hints = ("cjk", "han", "hei", "song", "kai", "ming", "yahei", "wenquanyi", "sc")
    others = [n for n in by_name if any(h in n.lower() for h in hints)]
    for name in [*PREFERRED_FAMILIES, *others]:
        for path in by_name.get(name, []):
            if _covers(path):
                return name
    return None


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """The family that draws Chinese in every chart, or None.

    The packaged Noto Sans CJK SC (:func:`register_cjk_font`); only if the font
    package is missing, a system font with Chinese characters; None when there
    is neither (the charts then use English labels).

    Examples
    --------
    >>> find_cjk_font()
    'Noto Sans CJK SC'
    """
    name = register_cjk_font()
    if name is None:
        name = _system_cjk_font()
        if name is not None:
            logger.warning(
                "the packaged CJK font is missing; using the system font %s", name
            )
    return name


def cjk_font_path() -> str | None:
    """The file matplotlib draws :func:`find_cjk_font`'s family from, or None.

    Examples
    --------
    >>> path = cjk_font_path()
    >>> path is None or "noto_cjk_sans_otc" in path or path.endswith(".otf")
    True
    """
    name = find_cjk_font()
    if name is None:
        return None
    from matplotlib import font_manager

    found = font_manager.findfont(
        font_manager.FontProperties(family=name), fallback_to_default=False
    )
    return str(getattr(found, "path", found))
