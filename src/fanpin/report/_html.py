"""HTML building blocks of the report: escaped text, tables, inline images, the page."""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import pandas as pd

__all__ = [
    "CSS",
    "Col",
    "fmt_int",
    "fmt_num",
    "fmt_pct",
    "image",
    "page",
    "section",
    "table",
]

Col = tuple[str, str, str, Callable[[Any], str]]
"""A table column: (key, Chinese header, English header, formatter)."""

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC",
"Microsoft YaHei",sans-serif;margin:0;background:#f4f5f7;color:#1d2330;}
main{max-width:1120px;margin:0 auto;padding:24px 32px 48px;background:#fff;}
h1{font-size:26px;margin:8px 0 0;}
h2{font-size:20px;margin:36px 0 4px;padding-bottom:4px;border-bottom:2px solid #1f5fa8;}
.en{color:#5b6475;font-size:0.82em;font-weight:normal;}
h1 .en,h2 .en{display:block;margin-top:2px;}
p.meta{color:#5b6475;margin:6px 0 18px;}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0;}
.card{flex:1 1 180px;border:1px solid #d9dde5;border-radius:6px;padding:10px 14px;}
.card .v{font-size:24px;font-weight:bold;color:#1f5fa8;}
.card .k{font-size:13px;}
table{border-collapse:collapse;margin:10px 0;font-size:13px;}
th,td{border:1px solid #d9dde5;padding:4px 8px;text-align:right;}
th{background:#eef1f6;vertical-align:bottom;}
th .en{display:block;font-size:11px;}
td.t,th.t{text-align:left;}
tr.hl td{background:#fff6d6;}
img{max-width:100%;height:auto;display:block;margin:8px 0;}
.note{color:#5b6475;font-size:13px;margin:6px 0;}
.warn{background:#fff4e5;border-left:4px solid #e8a33d;padding:6px 10px;font-size:13px;}
.band-0{color:#2b7a2b;}.band-1{color:#b7791f;}.band-2{color:#c0392b;font-weight:bold;}
.row{display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap;}
footer{margin-top:40px;color:#5b6475;font-size:12px;}
"""


def _nan(x: Any) -> bool:
    try:
        return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))
    except TypeError:
        return False


def fmt_pct(x: Any, digits: int = 1) -> str:
    """0.1234 -> '12.3%'; missing -> '—'."""
    return "—" if _nan(x) else f"{float(x) * 100:.{digits}f}%"


def fmt_num(x: Any, digits: int = 3) -> str:
    """Fixed decimals; missing -> '—'."""
    return "—" if _nan(x) else f"{float(x):,.{digits}f}"


def fmt_int(x: Any) -> str:
    """Thousands separators; missing -> '—'."""
    return "—" if _nan(x) else f"{int(x):,}"


def fmt_year(x: Any) -> str:
    """2023.0 -> '2023'."""
    return "—" if _nan(x) else str(int(x))


def fmt_text(x: Any) -> str:
    """Plain text; missing -> '—'."""
    return "—" if _nan(x) else str(x)


def bi(zh: str, en: str) -> str:
    """Chinese text with its English subtitle (both escaped)."""
    return f'{escape(zh)} <span class="en">{escape(en)}</span>'


def table(
    df: pd.DataFrame,
    cols: Sequence[Col],
    *,
    text_cols: Sequence[str] = (),
    highlight: Callable[[pd.Series], bool] | None = None,
    cell_class: Callable[[str, Any], str] | None = None,
) -> str:
    """An HTML table with bilingual headers; cell values go through the formatters."""
    head = "".join(
        f'<th class="{"t" if key in text_cols else ""}">{escape(zh)}'
        f'<span class="en">{escape(en)}</span></th>'
        for key, zh, en, _ in cols
    )
    body = []
    for _, row in df.iterrows():
        cells = []
        for key, _zh, _en, fmt in cols:
            cls = ["t"] if key in text_cols else []
            if cell_class is not None and (extra := cell_class(key, row[key])):
                cls.append(extra)
            attr = f' class="{" ".join(cls)}"' if cls else ""
            cells.append(f"<td{attr}>{escape(fmt(row[key]))}</td>")
        tr = ' class="hl"' if highlight is not None and highlight(row) else ""
        body.append(f"<tr{tr}>{''.join(cells)}</tr>")
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def image(png: bytes, alt: str, *, width: int | None = None) -> str:
    """An inline PNG (base64 data URI)."""
    data = base64.b64encode(png).decode("ascii")
    w = f' style="width:{width}px"' if width else ""
    return f'<img alt="{escape(alt)}"{w} src="data:image/png;base64,{data}">'


def section(anchor: str, zh: str, en: str, body: str) -> str:
    """A titled section."""
    return f'<section id="{escape(anchor)}"><h2>{bi(zh, en)}</h2>{body}</section>'


def note(zh: str, en: str, *, warn: bool = False) -> str:
    """A short remark in both languages."""
    cls = "warn" if warn else "note"
    return f'<p class="{cls}">{escape(zh)}<br><span class="en">{escape(en)}</span></p>'


def cards(items: Sequence[tuple[str, str, str]]) -> str:
    """Key figures: (value, Chinese label, English label)."""
    parts = [
        f'<div class="card"><div class="v">{escape(v)}</div>'
        f'<div class="k">{escape(zh)}<br>'
        f'<span class="en">{escape(en)}</span></div></div>'
        for v, zh, en in items
    ]
    return f'<div class="cards">{"".join(parts)}</div>'


def page(title_zh: str, title_en: str, meta: str, body: str, footer: str) -> str:
    """The whole self-contained document."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title_zh)} | {escape(title_en)}</title>"
        f"<style>{CSS}</style></head><body><main>"
        f'<h1>{bi(title_zh, title_en)}</h1><p class="meta">{meta}</p>'
        f"{body}<footer>{footer}</footer></main></body></html>\n"
    )
