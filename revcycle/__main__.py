"""Command line: ``python -m revcycle build|sample``."""

import argparse
import sys
from pathlib import Path

import duckdb

from revcycle import sample
from revcycle.build import ExportError, build
from revcycle.db import QueryError, connect
from revcycle.paths import SAMPLE_DIR, db_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revcycle", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser(
        "build", help="(re)build the database from the loaded exports, or the sample"
    )
    build_parser.add_argument(
        "--sample", action="store_true", help="load the bundled sample exports first"
    )
    sample_parser = commands.add_parser("sample", help="regenerate the sample exports")
    sample_parser.add_argument("--leads", type=int, default=20_000)
    sample_parser.add_argument("--out", type=Path, default=SAMPLE_DIR)
    args = parser.parse_args(argv)

    if args.command == "sample":
        for path in sample.write(args.out, n_leads=args.leads):
            print(f"wrote {path}")
        return 0

    from revcycle.build import SAMPLE_FILE_BY_KIND

    try:
        con = connect(db_path())
    except duckdb.IOException as error:
        print(
            f"error: cannot open {db_path()} for writing; another process (a running "
            f"dashboard?) holds it. Stop it and try again. ({error})",
            file=sys.stderr,
        )
        return 1
    try:
        info = build(con, SAMPLE_FILE_BY_KIND if args.sample else None)
    except (ExportError, QueryError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(
        f"built {db_path()}: {info.count_leads} leads, {info.count_deals} deals, "
        f"{info.count_funnel_rows} funnel rows (data version {info.data_version})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
