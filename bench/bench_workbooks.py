"""Township workbooks: XlsxWriter (constant memory, fanpin's writer) against the
openpyxl writer fanpin used before (one sheet per village, whole workbook in
memory), on the same rows.

Each case runs in its own process (peak RSS from ``resource``), writes the
workbook twice and checks the two files are byte-identical. Cases:

- ``typical``: 100 townships x 25 villages x 12 households (30,000 rows);
- ``villages-15000``: one township with 15,000 villages, one household each;
- ``villages-50000``: one township with 50,000 villages (XlsxWriter only: the
  openpyxl writer was killed at 590 s holding 1.7 GB).

Usage: python bench/bench_workbooks.py [--cases typical,villages-15000]
Writes bench/results_workbooks.json.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = {
    "typical": (100, 25, 12),
    "villages-15000": (1, 15_000, 1),
    "villages-50000": (1, 50_000, 1),
}


def _rows(towns: int, villages: int, per: int):
    import numpy as np
    import pandas as pd

    n = towns * villages * per
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "rank": np.arange(1, n + 1),
            "household_id": [f"{i:010d}" for i in range(n)],
            "county": "甲县",
            "township": [f"{t:03d}镇" for t in np.arange(n) // (villages * per)],
            "village": [f"{v:05d}村" for v in (np.arange(n) // per) % villages],
            "risk_score": rng.random(n).round(4),
            "risk_level": rng.choice(["高", "中", "低"], n),
            "risk_names": "因病、因灾",
            "reasons": "医疗自付 32,400 元，为家庭年收入的 61%；" * 2,
            "measures": "健康帮扶;综合保障",
            "departments": "医保;民政",
            "discovered": pd.Timestamp("2026-06-30"),
            "deadline": pd.Timestamp("2026-07-15"),
        }
    )


def _openpyxl_book(df, path, cols) -> None:
    """The previous writer (fanpin before this change), for comparison."""
    import re
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from fanpin.workflow import EXCEL_HEADERS

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, part in df.groupby(df["village"].to_numpy(), sort=True):
        title = str(name)[:31]
        while title in used:
            title += "_"
        used.add(title)
        ws = wb.create_sheet(title)
        ws.append([EXCEL_HEADERS[c] for c in cols])
        for rec in part[cols].itertuples(index=False):
            ws.append(
                [v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else
                 (v.item() if hasattr(v, "item") else v) for v in rec]
            )  # fmt: skip
        for j, _ in enumerate(cols, start=1):
            ws.column_dimensions[get_column_letter(j)].width = 12
            ws.cell(row=1, column=j).font = Font(bold=True)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    stamp = datetime.datetime(2026, 6, 30)
    wb.properties.created = stamp
    wb.save(path)
    with zipfile.ZipFile(path) as zin:  # fixed times, as fanpin did
        entries = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rb"\g<1>2026-06-30T00:00:00Z\g<2>", data)  # fmt: skip
            zout.writestr(zipfile.ZipInfo(info.filename, (2026, 6, 30, 0, 0, 0)), data)


def _child(case: str, writer: str) -> None:
    import warnings

    from fanpin.workflow import EXCEL_HEADERS, write_township_workbook

    warnings.simplefilter("ignore")
    df = _rows(*CASES[case])
    cols = [c for c in EXCEL_HEADERS if c in df.columns]
    tmp = Path(tempfile.mkdtemp())
    digests, seconds = [], []
    for k in range(2):
        t0 = time.perf_counter()
        for town, part in df.groupby("township", sort=True):
            p = tmp / f"{k}-{town}.xlsx"
            if writer == "xlsxwriter":
                write_township_workbook(part, p, columns=cols)
            else:
                _openpyxl_book(part, p, cols)
        seconds.append(time.perf_counter() - t0)
        h = hashlib.sha256()
        for p in sorted(tmp.glob(f"{k}-*.xlsx")):
            h.update(p.read_bytes())
        digests.append(h.hexdigest())
    size = sum(p.stat().st_size for p in tmp.glob("0-*.xlsx"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "case": case, "writer": writer, "rows": len(df),
        "seconds": round(min(seconds), 2), "peak_mb": round(rss),
        "mb_on_disk": round(size / 2**20, 1),
        "identical_reruns": digests[0] == digests[1],
    }))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="typical,villages-15000,villages-50000")
    ap.add_argument("--child", nargs=2)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    results = []
    for case in args.cases.split(","):
        writers = ["xlsxwriter"] + ([] if case == "villages-50000" else ["openpyxl"])
        for writer in writers:
            out = subprocess.run(
                [sys.executable, __file__, "--child", case, writer],
                capture_output=True, text=True, timeout=3600,
            )  # fmt: skip
            if out.returncode:
                print(out.stderr[-2000:], file=sys.stderr)
                continue
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(row, flush=True)
            results.append(row)
    (HERE / "results_workbooks.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8"
    )


if __name__ == "__main__":
    main()
