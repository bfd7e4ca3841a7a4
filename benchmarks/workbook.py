"""Benchmark of reading a workbook: ``python -m benchmarks.workbook --rows 100000 [--repeat 3]
[--openpyxl]``, from the repository's root.

Writes a HubSpot contacts export as an XLSX workbook of ``--rows`` rows and ten columns (not
timed), then times, run by run in turn, the importer's read of it (``read_export``: the sheet's
cells as text, the header found, the rows in Arrow), its whole check as an upload checks it
(``prepare``: read, map, parse, validate), and pandas reading the same sheet with the same
library (``read_excel(engine="calamine")``), the yardstick; with ``--openpyxl``, pandas with
openpyxl once, as the importer read workbooks before. It prints a markdown table; it asserts
nothing.
"""

import argparse
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd

from benchmarks.timing import Timing, machine, peak_rss_mib, timed
from revcycle.db import connect
from revcycle.importer.read import read_export
from revcycle.importer.validate import prepare

HEADER = [
    "Record ID",
    "Create Date",
    "Original Traffic Source",
    "Contact owner",
    "Email",
    "Company size",
    "Country",
    "Lifecycle Stage",
    "Annual Revenue",
    "Marketing contact",
]


def write_workbook(path: Path, count_rows: int) -> Path:
    """A HubSpot contacts export of ``count_rows`` rows as a workbook; its path."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(HEADER)
    first = datetime(2026, 1, 1, 9)
    for row in range(count_rows):
        sheet.append(
            [str(900_000 + row), first + timedelta(minutes=row), "Organic Search", "Anna Keller"]
            + [f"c{row}@x.example", "SMB", "NL", "lead", 1000.5 + row, row % 2 == 0]
        )
    workbook.save(path)
    return path


def time_reads(path: Path, repeat: int, folder: Path) -> tuple[list[Timing], int]:
    """The three reads, each once per run in turn; and the rows the importer read."""
    read = Timing("read_export: the sheet's cells as text, header found, rows in Arrow")
    checked = Timing("prepare: read_export + map + parse + validate (as leads)")
    pandas = Timing('pandas read_excel(engine="calamine"), the yardstick')
    size = path.stat().st_size * 100  # the unpacked size is what the cap counts
    con = connect(folder / "workbook.duckdb")
    try:
        for _ in range(repeat):
            count_rows = timed(lambda: read_export(path, max_bytes=size), read).rows.num_rows
            timed(lambda: prepare(con, path, kind="leads", max_bytes=size), checked)
            timed(lambda: pd.read_excel(path, engine="calamine", dtype=str), pandas)
    finally:
        con.close()
    return [read, checked, pandas], count_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workbook")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--openpyxl", action="store_true", help="also time pandas reading it with openpyxl, once"
    )
    args = parser.parse_args(argv)
    print(machine())
    with tempfile.TemporaryDirectory(prefix="revcycle-workbook-") as folder:
        path = write_workbook(Path(folder) / "contacts.xlsx", args.rows)
        timings, count_rows = time_reads(path, args.repeat, Path(folder))
        if args.openpyxl:
            once = Timing('pandas read_excel(engine="openpyxl"), once')
            timed(lambda: pd.read_excel(path, engine="openpyxl", dtype=str), once)
            timings.append(once)
        print(f"{args.rows:,} rows written, {count_rows:,} read; {path.stat().st_size:,} bytes")
    yardstick = timings[2].median_ms
    print("\n| step | best / median ms | × pandas (medians) |\n|---|---:|---:|")
    for timing in timings:
        ratio = timing.median_ms / yardstick
        print(
            f"| {timing.label} | {timing.best_ms:,.1f} / {timing.median_ms:,.1f} | {ratio:.2f}× |"
        )
    print(f"\npeak memory of this process: {peak_rss_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
