"""What every part of the benchmark measures with: timings, peak memory, the machine."""

import multiprocessing
import os
import platform
import re
import resource
import statistics
import sys
import time
import types
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd


@dataclass
class Timing:
    label: str
    seconds: list[float] = field(default_factory=list)

    @property
    def best_ms(self) -> float:
        return min(self.seconds) * 1000

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000


def in_fresh_process(function: Callable, *args, **kwargs):
    """``function(*args, **kwargs)`` in a new Python process (spawned: its memory its own, nothing
    inherited), its result. The child does not run this process's ``__main__`` first, as
    spawn would: AppTest leaves the last page it ran as ``sys.modules["__main__"]`` (Streamlit's
    script runner puts it there), so after a page test the child ran that whole page again,
    on ``$REVCYCLE_DB`` or the checkout's own ``data/revcycle.duckdb``."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")  # what spawn sees: nothing to run
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(function, *args, **kwargs).result()
    finally:
        sys.modules["__main__"] = main


def timed(function: Callable[[], object], timing: Timing) -> object:
    """Run ``function`` once, add its wall-clock seconds to ``timing``; return its result."""
    started = time.perf_counter()
    result = function()
    timing.seconds.append(time.perf_counter() - started)
    return result


def repeated(label: str, function: Callable[[], object], repeat: int) -> Timing:
    """``function`` timed ``repeat`` times."""
    timing = Timing(label)
    for _ in range(repeat):
        timed(function, timing)
    return timing


def _first_field(path: str, prefix: str) -> str | None:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(prefix)), None)


def machine() -> str:
    """One line describing the CPU, memory and library versions, and when it ran."""
    cpu = _first_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    mem_kib = _first_field("/proc/meminfo", "MemTotal")
    ram = f"{int(mem_kib.split()[0]) / 2**20:.1f} GiB RAM" if mem_kib else "RAM unknown"
    return (
        f"{cpu}, {os.cpu_count()} cores, {ram}; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pandas {pd.__version__}, numpy {np.__version__}; "
        f"{platform.system()} {platform.release()}; {datetime.now():%Y-%m-%d %H:%M}"
    )


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far, in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _status_mib(field: str) -> float | None:
    """A memory figure of this process from /proc/self/status, in MiB; None off Linux."""
    try:
        status = Path("/proc/self/status").read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 2**10 if found else None


@dataclass
class PartMemory:
    """This process's resident memory as a part of the benchmark began, and its peak in it."""

    at_start_mib: float | None
    peak_mib: float | None = None

    def text(self) -> str:
        if self.peak_mib is None:
            return "not measured"
        return f"{self.peak_mib:,.0f} MiB (from {self.at_start_mib:,.0f} MiB at its start)"


@contextmanager
def memory_of(parts: dict[str, PartMemory], part: str) -> Iterator[None]:
    """Note in ``parts[part]`` this process's resident memory at the start and its peak inside.

    ru_maxrss only ever grows, so it cannot tell the parts apart; Linux resets the peak that
    /proc/self/status reports (VmHWM) when "5" is written to /proc/self/clear_refs. Where that
    is not offered, the part is not measured.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="utf-8")
        memory = PartMemory(_status_mib("VmRSS"))
    except OSError:
        memory = PartMemory(None)
    try:
        yield
    finally:
        if memory.at_start_mib is not None:
            # VmHWM can read a little under the RSS read just after its reset: memory given back
            # by madvise does not update the kernel's high-water mark. The part's peak is at
            # least what it began with.
            memory.peak_mib = max(_status_mib("VmHWM"), memory.at_start_mib)
        parts[part] = memory


def memory_fact(parts: dict[str, PartMemory]) -> str:
    """The parts' peaks as one sentence for the report."""
    return (
        "Peak RSS of this process in each part (VmHWM, reset as each part begins; DuckDB runs "
        "in-process, so this includes its memory, and each peak includes what the process "
        "still held from the parts before): "
        + "; ".join(f"{part} {memory.text()}" for part, memory in parts.items())
        + "."
    )
