"""The benchmark's weekly-meeting timing: how long the meeting pack takes to build, as
`python -m revcycle pack` builds it (a read-only connection, uncached queries)."""

import datetime
import functools
import time
from pathlib import Path

from benchmarks.pages import PageRow
from revcycle.db import connect, execute
from revcycle.meeting import pack, week_view

PACK_TARGET_MS = 5000.0


def time_pack(db_file: Path, repeat: int) -> PageRow:
    """Build the pack of the default week ``repeat`` times, each on a new read-only
    connection, so no run is served by another's cache; a run that fails marks the row."""
    row = PageRow(
        "meeting pack of the last complete week (build_pack, new connection)", PACK_TARGET_MS
    )
    today = datetime.date.today()
    scope = {"channels": None, "owners": None, "segments": None}
    for _ in range(repeat):
        con = connect(db_file, read_only=True)
        started = time.perf_counter()
        try:
            query = functools.partial(execute, con)
            week = week_view.default_week(query, today)
            document = pack.build_pack(query, con, week, scope, today)
        except Exception as error:  # the row fails, the benchmark goes on
            row.failures.append(f"build_pack raised {type(error).__name__}: {error}")
        else:
            if "Plotly.newPlot(" not in document:
                row.failures.append("the pack drew no chart")
        finally:
            row.timing.seconds.append(time.perf_counter() - started)
            con.close()
    return row


def pack_fact(repeat: int) -> str:
    return (
        "Meeting pack: the pack of the data's last complete ISO week, all channels, built "
        f"{repeat} times as `python -m revcycle pack` builds it (a new read-only connection "
        "each time, every query sent), plotly.js inlined once; the row's time is the whole "
        "build, gathering and writing the HTML."
    )
