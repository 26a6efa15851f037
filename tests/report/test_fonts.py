"""The charts draw Chinese with the packaged font, never with a system font.

A fresh clone's ``make test`` must not depend on fonts the machine happens to
have: these tests fail if the family the charts use is drawn from a file outside
the ``noto-cjk-sans-otc`` package (or, on matplotlib < 3.11, its SC face copied
into matplotlib's cache folder).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fanpin.report import _fonts


def _package_dir() -> Path:
    path = _fonts.packaged_font_file()
    assert path is not None, "noto-cjk-sans-otc is a core dependency of fanpin"
    return path.parent


def _is_packaged(path: str) -> bool:
    import matplotlib

    p = Path(path).resolve()
    return p.is_relative_to(_package_dir().resolve()) or (
        p.parent == Path(matplotlib.get_cachedir()).resolve()
        and p.name.startswith("fanpin-")
    )


def test_the_font_package_ships_an_ofl_noto_sans_cjk():
    d = _package_dir()
    assert (d / "NotoSansCJK-Regular.ttc").stat().st_size > 10_000_000
    assert "site-packages" in d.parts or "dist-packages" in d.parts


def test_charts_use_the_packaged_simplified_chinese_face():
    assert _fonts.find_cjk_font() == "Noto Sans CJK SC"
    path = _fonts.cjk_font_path()
    assert path is not None and _is_packaged(path), path
    assert not path.startswith("/usr/share/fonts")


def test_the_report_chart_style_resolves_to_the_packaged_file():
    """What a chart's rcParams pick for a Chinese label is the packaged face."""
    from matplotlib import font_manager

    from fanpin.report._charts import ChartStyle

    with ChartStyle(_fonts.find_cjk_font()).context():
        found = font_manager.findfont(
            font_manager.FontProperties(), fallback_to_default=False
        )
    assert _is_packaged(str(getattr(found, "path", found))), found


def test_plotting_uses_the_same_font():
    from fanpin.plotting import chart_font

    assert chart_font() == _fonts.find_cjk_font() == _fonts.FONT_FAMILY


def test_simplified_chinese_renders_without_missing_glyphs():
    """pytest turns matplotlib's "Glyph ... missing" warning into an error."""
    from fanpin.report._charts import ChartStyle, bar_chart

    png = bar_chart(
        ["防返贫甲县", "乙县"],
        [0.1, 0.2],
        ChartStyle(_fonts.find_cjk_font()),
        xlabel="平均风险（%）",
        percent=True,
    )
    assert png.startswith(b"\x89PNG") and len(png) > 2000


def test_registration_is_idempotent():
    from matplotlib import font_manager

    _fonts.register_cjk_font()
    n = len(font_manager.fontManager.ttflist)
    _fonts.register_cjk_font()
    assert len(font_manager.fontManager.ttflist) == n


def test_old_matplotlib_path_draws_the_same_pixels(tmp_path):
    """matplotlib < 3.11 reads only a collection's first face (the JP one): the
    SC face is then copied out once; the chart comes out byte-identical."""
    code = textwrap.dedent(
        """
        import sys
        from fanpin.report import _fonts
        from fanpin.report._charts import ChartStyle, bar_chart
        if sys.argv[1] == "old":
            _fonts._reads_collections = lambda: False
        font = _fonts.find_cjk_font()
        png = bar_chart(["防返贫甲县", "乙县"], [0.1, 0.2], ChartStyle(font),
                        xlabel="平均风险", percent=True)
        sys.stdout.buffer.write(_fonts.cjk_font_path().encode() + b"\\n" + png)
        """
    )
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}
    out = {}
    for mode in ("new", "old"):
        done = subprocess.run(
            [sys.executable, "-c", code, mode], env=env, capture_output=True, check=True
        )
        path, _, png = done.stdout.partition(b"\n")
        out[mode] = (path.decode(), png)
    assert out["new"][0].endswith("NotoSansCJK-Regular.ttc")
    assert Path(out["old"][0]).name == "fanpin-NotoSansCJKsc-Regular.otf"
    assert out["old"][1] == out["new"][1]


@pytest.mark.skipif(
    not Path("/usr/share/fonts").exists(), reason="no system font folder to hide"
)
def test_no_system_font_is_needed(tmp_path):
    """With matplotlib told about no system font at all, Chinese still renders."""
    code = textwrap.dedent(
        """
        import warnings
        warnings.simplefilter("error")
        from matplotlib import font_manager
        font_manager.fontManager.ttflist = [
            f for f in font_manager.fontManager.ttflist
            if not f.fname.startswith(("/usr/share/fonts", "/usr/local/share/fonts"))
        ]
        from fanpin.report import _fonts
        from fanpin.report._charts import ChartStyle, bar_chart
        bar_chart(["防返贫"], [0.1], ChartStyle(_fonts.find_cjk_font()),
                  xlabel="风险", percent=True)
        print(_fonts.cjk_font_path())
        """
    )
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "noto_cjk_sans_otc" in done.stdout
