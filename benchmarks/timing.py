"""What every part of the benchmark measures with: timings, peak memory, the machine."""

import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
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
