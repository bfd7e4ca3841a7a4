"""Concurrent sessions against one running dashboard, without browsers: how many page loads
a second the server serves, and how long each waits, as more people open it at once.

Run: ``python -m benchmarks.sessions`` (the bundled sample; ``--leads N`` for a generated one).

The benchmark starts ``streamlit run dashboard.py`` as a real server and speaks Streamlit's own
websocket protocol to it, as the browser does: each page load opens a new connection (a new
session), asks for one page to run (a ``BackMsg`` with ``rerun_script``) and waits for the
server's ``script_finished``. Each simulated user loads pages one after another, cycling
through the dashboard's pages. What this leaves out is the browser drawing the page, which the
Chromium timings in ``benchmarks.run`` measure for one user. Streamlit's caches are
process-wide: one load first fills them, as the first visitor of the day would.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.timing import machine
from tests.support.browser import running_dashboard

CONCURRENCY = (1, 5, 10, 25)
LOADS_PER_USER = 4
# The pages a visitor opens, by the name the server knows them under ("" is the overview).
PAGE_NAMES = ("", "conversion", "follow_up", "revenue")
LOAD_TIMEOUT_S = 300


@dataclass
class LoadResult:
    """Page loads made by ``users`` at once: each load's seconds, the wall time, failures."""

    users: int
    wall_seconds: float = 0.0
    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    def markdown(self) -> str:
        if not self.seconds:
            return f"| {self.users} | 0 | — | — | — | {len(self.failures)} |"
        return (
            f"| {self.users} | {len(self.seconds)} | {len(self.seconds) / self.wall_seconds:,.2f}"
            f" | {statistics.median(self.seconds) * 1000:,.0f}"
            f" | {self.percentile(0.95) * 1000:,.0f} | {len(self.failures)} |"
        )


async def load_page(url: str, page_name: str) -> tuple[float, list[str]]:
    """One visitor opening one page in a new session: its seconds and what went wrong."""
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    request = BackMsg()
    request.rerun_script.page_name = page_name
    problems: list[str] = []
    started = time.perf_counter()
    # Closing after a page_not_found (the server goes on to run the main page) waited the full
    # default of ten seconds for the server's answer, measured; the time is taken before it.
    async with websockets.connect(
        stream, subprotocols=["streamlit"], max_size=None, close_timeout=1
    ) as socket:
        await socket.send(request.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await socket.recv())
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.new_element.WhichOneof("type") == "exception":
                problems.append(f"{page_name or 'overview'}: an exception was shown")
            if kind == "page_not_found":
                return time.perf_counter() - started, [f"page {page_name!r} not found"]
            if kind == "script_finished":
                return time.perf_counter() - started, problems


async def _user(url: str, number: int, loads: int, result: "LoadResult") -> None:
    for turn in range(loads):
        page_name = PAGE_NAMES[(number + turn) % len(PAGE_NAMES)]
        try:
            seconds, problems = await asyncio.wait_for(load_page(url, page_name), LOAD_TIMEOUT_S)
        except (OSError, TimeoutError, websockets.WebSocketException) as error:
            result.failures.append(f"{type(error).__name__}: {error}")
            continue
        result.seconds.append(seconds)
        result.failures += problems


async def serve(url: str, users: int, loads_per_user: int = LOADS_PER_USER) -> "LoadResult":
    """``users`` visitors at once, each loading ``loads_per_user`` pages back to back."""
    result = LoadResult(users)
    started = time.perf_counter()
    await asyncio.gather(*(_user(url, number, loads_per_user, result) for number in range(users)))
    result.wall_seconds = time.perf_counter() - started
    return result


def report(results: list[LoadResult], leads: str) -> str:
    lines = [
        f"Machine: {machine()}",
        f"Data: {leads}. Each user loads {LOADS_PER_USER} pages in a row, each in a new"
        " websocket session, cycling through the four dashboard pages; one visitor's loads"
        " filled the caches first.",
        "",
        "| users at once | page loads | loads per second | p50 ms | p95 ms | failures |",
        "|---:|---:|---:|---:|---:|---:|",
        *[result.markdown() for result in results],
    ]
    failures = [failure for result in results for failure in result.failures]
    if failures:
        lines += ["", "Failures: " + "; ".join(dict.fromkeys(failures))]
    return "\n".join(lines)


def _prepare_database(folder: Path, n_leads: int | None) -> tuple[Path, str]:
    """A fresh database: the sample, or ``n_leads`` generated leads; its path and size."""
    from revcycle import sample
    from revcycle.build import SAMPLE_FILE_BY_KIND, build
    from revcycle.db import connect

    exports = SAMPLE_FILE_BY_KIND
    if n_leads is not None:
        leads_file, deals_file = sample.write(folder / "exports", n_leads=n_leads)
        exports = {"leads": leads_file, "deals": deals_file}
    db_file = folder / "sessions.duckdb"
    con = connect(db_file)
    info = build(con, exports)
    con.close()  # the server opens it read-write; DuckDB allows one such process
    return db_file, f"{info.count_leads:,} leads, {info.count_deals:,} deals"


async def _measure(url: str, user_counts: list[int]) -> list["LoadResult"]:
    await serve(url, 1, loads_per_user=len(PAGE_NAMES))  # the first visitor fills the caches
    return [await serve(url, users) for users in user_counts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sessions", description=__doc__)
    parser.add_argument("--leads", type=int, help="generate this many leads (default: sample)")
    parser.add_argument("--users", type=int, nargs="+", default=list(CONCURRENCY))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="revcycle-sessions-") as folder:
        db_file, leads = _prepare_database(Path(folder), args.leads)
        with running_dashboard(db_file, Path(folder) / "server.log") as url:
            results = asyncio.run(_measure(url, args.users))
    print(report(results, leads))
    return 0 if not any(result.failures for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
