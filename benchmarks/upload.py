"""The benchmark's upload part: the importer's full load of a leads export against DuckDB
alone parsing the same file."""

import contextlib
import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from benchmarks.timing import PartMemory, Timing, in_fresh_process, memory_of, timed
from revcycle import cli
from revcycle.db import connect
from revcycle.importer.load import commit_upload
from revcycle.importer.read import read_export
from revcycle.importer.validate import prepare

UPLOAD_RATIO_TARGET = 6.0  # full load ÷ DuckDB parsing the same file into a table (issue 4)
# The yardstick: DuckDB alone, every value kept as text (as the importer keeps it), and with
# its type sniffer, for comparison. The path is bound, never formatted in.
PARSE_AS_TEXT_SQL = (
    "create or replace table parsed as select * from read_csv($path, all_varchar = true)"
)
PARSE_TYPED_SQL = "create or replace table parsed as select * from read_csv($path)"


@dataclass
class UploadRun:
    """The upload part: DuckDB's parse alone and each step of the importer's full load."""

    parse_as_text: Timing
    parse_typed: Timing
    read: Timing  # read_export alone
    prepare: Timing  # read_export, mapping, parsing and validation
    commit: Timing  # commit_upload, mode replace: preview, archive, rebuild, commit
    full: Timing  # prepare + commit, run by run
    file_mib: float
    count_rows_in_file: int
    count_rows_loaded: int
    count_raw_leads: int  # raw_leads after the last timed commit
    count_problems: int
    load_before: float  # 1-minute load average when the part began
    load_after: float = 0.0
    count_changed_rows: list[int] = field(default_factory=list)  # per timed commit
    alone: PartMemory | None = None  # the CLI's load in a process of its own

    @property
    def failures(self) -> list[str]:
        """Why the runs did not time the full load of every lead; empty when they did."""
        failures = []
        if self.count_rows_loaded != self.count_rows_in_file:
            failures.append(
                f"{self.count_rows_in_file - self.count_rows_loaded:,} of "
                f"{self.count_rows_in_file:,} rows rejected"
            )
        if self.count_raw_leads != self.count_rows_loaded:
            failures.append(
                f"raw_leads holds {self.count_raw_leads:,} rows after the commit, not "
                f"{self.count_rows_loaded:,}"
            )
        if any(changed != self.count_rows_loaded for changed in self.count_changed_rows):
            failures.append("a timed commit did not change every row, so it skipped work")
        return failures


def _time_parse(parse_con, leads_csv: Path, run: UploadRun) -> None:
    """The yardstick, once: DuckDB alone parsing the file as text, then with its sniffed types."""
    for sql, timing in ((PARSE_AS_TEXT_SQL, run.parse_as_text), (PARSE_TYPED_SQL, run.parse_typed)):
        timed(lambda s=sql: parse_con.execute(s, {"path": str(leads_csv)}).fetchall(), timing)
    parse_con.execute("drop table parsed")


def _time_load(db_file: Path, leads_csv: Path, run: UploadRun) -> None:
    """The importer's full load, once, into ``db_file``, as the CLI's replace does it."""
    size = leads_csv.stat().st_size
    con = connect(db_file)
    try:
        prepared = timed(lambda: prepare(con, leads_csv, kind="leads", max_bytes=size), run.prepare)
        run.count_rows_in_file = prepared.count_rows_in_file
        run.count_rows_loaded = prepared.count_rows_loaded
        run.count_problems = len(prepared.problems)
        # As the CLI's load does: the commit alone holds the rows, and lets them go once stored.
        kind, meta, rows = prepared.kind, prepared.meta(), [prepared.rows]
        del prepared
        _, change = timed(
            lambda: commit_upload(con, kind, rows.pop(), "replace", meta, changed_by="benchmark"),
            run.commit,
        )
        run.count_changed_rows.append(change.count_new + change.count_changed)
        run.full.seconds.append(run.prepare.seconds[-1] + run.commit.seconds[-1])
        run.count_raw_leads = con.execute("select count(*) from raw_leads").fetchone()[0]
    finally:
        con.close()


def _load_last_weeks_leads(db_file: Path, leads_csv: Path) -> None:
    """Make the loaded leads last week's: the same ids with another owner. A file that changes
    nothing is not loaded again (no history entry, no rebuild), so loading the benchmark's own
    leads once more would time a no-op; against last week's, every row is a changed row and
    the load does all its work — compare, archive, rebuild, commit."""
    con = connect(db_file)
    try:
        prepared = prepare(con, leads_csv, kind="leads", max_bytes=leads_csv.stat().st_size)
        rows = prepared.rows
        owner = rows.schema.get_field_index("owner")
        last_week = rows.set_column(owner, "owner", pa.array(["Last week"] * rows.num_rows))
        commit_upload(con, "leads", last_week, "replace", prepared.meta(), changed_by="benchmark")
    finally:
        con.close()


def time_upload(db_file: Path, leads_csv: Path, repeat: int, folder: Path) -> UploadRun:
    """Time DuckDB parsing ``leads_csv`` alone against the importer loading it into ``db_file``.

    Each run parses the file with DuckDB (as text, then typed) in an in-memory database, reads
    it with read_export, then loads it as the CLI does — prepare, then commit_upload in replace
    mode — into a fresh copy of ``db_file`` (which the benchmark built through the same
    importer), so every run does the same work. ``db_file`` itself is not changed.
    """
    load_before = os.getloadavg()[0]
    template = folder / "upload-template.duckdb"
    shutil.copyfile(db_file, template)
    _load_last_weeks_leads(template, leads_csv)

    size = leads_csv.stat().st_size
    run = UploadRun(
        parse_as_text=Timing("DuckDB alone: read_csv(all_varchar = true) into a table"),
        parse_typed=Timing("DuckDB alone: read_csv (types sniffed) into a table"),
        read=Timing("read_export: sniff, read as text, line numbers"),
        prepare=Timing("prepare: read_export + map + parse + validate"),
        commit=Timing("commit_upload (replace): preview, archive, rebuild, commit"),
        full=Timing("full load: prepare + commit_upload"),
        file_mib=size / 2**20,
        count_rows_in_file=0,
        count_rows_loaded=0,
        count_raw_leads=0,
        count_problems=0,
        load_before=load_before,
    )
    parse_con = duckdb.connect()  # in memory: the yardstick writes no file
    copy = folder / "upload-run.duckdb"
    try:
        for _ in range(repeat):
            # Interleaved, so that a busy moment on the machine falls on every step alike.
            _time_parse(parse_con, leads_csv, run)
            timed(lambda: read_export(leads_csv, max_bytes=size), run.read)
            shutil.copyfile(template, copy)  # not timed
            _time_load(copy, leads_csv, run)
            copy.unlink()
    finally:
        parse_con.close()
        template.unlink()
    run.alone = _memory_of_a_load_alone(leads_csv, folder)
    run.load_after = os.getloadavg()[0]
    return run


def _memory_of_a_load_alone(leads_csv: Path, folder: Path) -> PartMemory:
    """The memory of `python -m revcycle load` loading ``leads_csv`` into an empty database,
    in a process of its own: what the load itself holds, without this process's data from the
    parts before or the yardstick's tables."""
    db_file = folder / "upload-alone.duckdb"
    try:
        return in_fresh_process(_load_alone, leads_csv, db_file)
    finally:
        db_file.unlink(missing_ok=True)


def _load_alone(leads_csv: Path, db_file: Path) -> PartMemory:
    """In a fresh process: the command line's load, its output dropped, and its memory (not
    ru_maxrss, which Linux carries over from the parent that started the process)."""
    os.environ["REVCYCLE_DB"] = str(db_file)
    command = ["load", str(leads_csv), "--kind", "leads", "--mode", "replace"]
    parts = {}
    with memory_of(parts, "alone"), contextlib.redirect_stdout(io.StringIO()):
        if cli.main(command) != 0:
            raise RuntimeError(f"the load of {leads_csv} alone failed")
    return parts["alone"]


def _upload_heading(count_rows: int | None) -> str:
    if count_rows is None:
        return "### Upload of a leads export"
    rows = "1M" if count_rows == 1_000_000 else f"{count_rows:,}"
    return f"### Upload of a {rows}-row leads export"


def _upload_method(run: UploadRun, repeat: int) -> list[str]:
    """How the upload part was measured, and what the loads did."""
    return [
        f"- Method: the generated leads.csv ({run.count_rows_in_file:,} data lines, "
        f"{run.file_mib:,.0f} MiB, the generic Revcycle format), {repeat} runs, each step once "
        "per run in turn. The yardstick is DuckDB alone parsing the file into a table in an "
        f"in-memory database with its default threads, every value as text (`{PARSE_AS_TEXT_SQL}`"
        "; the importer reads every value as text too, then parses it); the × column divides "
        "each step's "
        "median by the yardstick's. The typed read_csv is shown for comparison. The full load "
        "is what `python -m revcycle load leads.csv --kind leads --mode replace` does, run by "
        "run: prepare (read_export, preset detection and mapping, parsing each column, the "
        "contract's rules, the channel rules) then commit_upload (comparing with what is loaded, "
        "archiving the file and its rows, which then are the loaded leads, rebuilding the marts, "
        "commit), into a fresh copy of the benchmark's database (the generated data, loaded "
        "through the same importer, with every lead's owner then changed by an untimed replace, "
        "so every row of the file is a changed row: a file that changes nothing is not loaded "
        "again), copied before each run and not timed. Map + parse + "
        "validate is the difference of the prepare and read_export medians.",
        f"- Result: {run.count_rows_loaded:,} rows loaded, "
        f"{run.count_rows_in_file - run.count_rows_loaded:,} rejected, "
        f"{run.count_problems:,} problems; raw_leads holds {run.count_raw_leads:,} rows after "
        f"the commit. Load average (1 min) before this part {run.load_before:.2f}, after "
        f"{run.load_after:.2f}.",
        "- Memory: the same load by the command line into an empty database, in a process of "
        f"its own: {run.alone.text()}.",
    ]


def upload_report(run: UploadRun | None, repeat: int, skipped: str | None = None) -> list[str]:
    """The upload timings as markdown lines: the method, then a table of their own."""
    lines = [_upload_heading(run.count_rows_in_file if run else None), ""]
    if run is None:
        return [*lines, f"Skipped: {skipped}.", ""]
    base_ms = run.parse_as_text.median_ms
    ratio = run.full.median_ms / base_ms
    # On a busy machine one slow yardstick run moves the median a lot: show bests too.
    best_ratio = f"(best to best {run.full.best_ms / run.parse_as_text.best_ms:.1f}×)"
    if run.failures:
        verdict = "**failed**: " + "; ".join(run.failures)
    elif ratio <= UPLOAD_RATIO_TARGET:
        verdict = f"yes {best_ratio}"
    else:
        verdict = f"**no**: {ratio:.1f}× > {UPLOAD_RATIO_TARGET:.0f}× {best_ratio}"

    def row(label: str, times: str, median_ms: float, target: str = "—", met: str = "—") -> str:
        return f"| {label} | {times} | {median_ms / base_ms:.1f}× | {target} | {met} |"

    def timed(timing: Timing, target: str = "—", met: str = "—") -> str:
        times = (
            f"{timing.best_ms:,.1f} (once)"
            if len(timing.seconds) == 1
            else f"{timing.best_ms:,.1f} / {timing.median_ms:,.1f}"
        )
        return row(timing.label, times, timing.median_ms, target, met)

    map_validate_ms = run.prepare.median_ms - run.read.median_ms
    return [
        *lines,
        *_upload_method(run, repeat),
        "",
        "| step | best / median ms | × DuckDB parse as text (medians) | target | met? |",
        "|---|---:|---:|---|---|",
        timed(run.parse_as_text, "the yardstick"),
        timed(run.parse_typed),
        timed(run.read),
        row(
            "map + parse + validate (prepare − read_export)",
            f"— / {map_validate_ms:,.1f}",
            map_validate_ms,
        ),
        timed(run.prepare),
        timed(run.commit),
        timed(run.full, f"≤ {UPLOAD_RATIO_TARGET:.0f}× DuckDB parse", verdict),
        "",
    ]
