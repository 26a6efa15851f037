"""Finding a font that draws Chinese in the charts, or falling back to English."""

from __future__ import annotations

import logging
from functools import lru_cache

from ..messages import N_

__all__ = ["MSG_NO_CJK_FONT", "ChartFontWarning", "find_cjk_font"]

logger = logging.getLogger(__name__)

#: Families tried first, in order, before any other font with CJK coverage.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
)
#: Characters a font must have to be used for the charts' labels.
_PROBE = "返贫风险县户稳定偏移"

MSG_NO_CJK_FONT = N_(
    "No font with Chinese characters was found, so the report's charts use English "
    "labels only (the HTML text stays bilingual). Install one with "
    "`scripts/install_fonts.sh` (Debian: apt-get install fonts-noto-cjk) and run "
    "the report again."
)


class ChartFontWarning(UserWarning):
    """No CJK font was found; charts fall back to English-only labels."""


def _covers(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in _PROBE)


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """The family name of an installed font that draws Chinese, or None.

    Looks through matplotlib's font list: the families of
    :data:`PREFERRED_FAMILIES` first, then any font whose name suggests CJK
    coverage; a candidate is accepted only if its character map holds a few
    Chinese characters. The answer is cached for the process.

    Examples
    --------
    >>> name = find_cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
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
                logger.debug("chart font: %s (%s)", name, path)
                return name
    return None
