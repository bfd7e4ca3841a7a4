"""``python -m revcycle``: runs the command line (``revcycle/cli.py``) inside the one guard for
Ctrl-C. Importing the command line takes about half a second (DuckDB, pandas, pyarrow), so it is
imported inside the guard too: a Ctrl-C then ends, as one while a command runs does, with one
line and exit code 130, never with Python's traceback. Only ``revcycle.interrupt``, which
imports nothing heavier than ``signal``, comes before it."""

import sys

from revcycle import interrupt


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: this process's arguments); its exit code."""
    try:
        from revcycle import cli

        return cli.main(argv)
    except (Exception, KeyboardInterrupt) as error:  # as the modules load, or a command runs
        if not interrupt.stopped_by_ctrl_c(error):
            raise
        print(interrupt.SENTENCE, file=sys.stderr)
        return interrupt.EXIT_CODE


if __name__ == "__main__":
    interrupt.listen()
    sys.exit(main())
