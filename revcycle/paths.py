"""Where things live: the repository folders and the database file."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
DATA_DIR = REPO_ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
SAMPLE_AGREEMENT = SAMPLE_DIR / "agreement.yaml"
CHANNEL_RULES_CSV = DATA_DIR / "channel_rules.csv"
DEFAULT_DB_PATH = DATA_DIR / "revcycle.duckdb"


def db_path() -> Path:
    """The DuckDB file: ``$REVCYCLE_DB`` when set, else ``data/revcycle.duckdb``."""
    return Path(os.environ.get("REVCYCLE_DB") or DEFAULT_DB_PATH)


def log_path() -> Path:
    """Where the command line writes the details of an unexpected error:
    ``$XDG_STATE_HOME/revcycle/revcycle.log`` (``~/.local/state/…`` when unset), as the XDG
    base directories place a program's logs, apart from the data it may have failed to write."""
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "revcycle" / "revcycle.log"
