"""Ctrl-C on the command line, however it arrives: ``python -m revcycle`` (__main__.py) says it
in one line and exits 130. It imports only ``signal``, so that the entry point has it before the
half second of imports a Ctrl-C may cut short."""

import signal

EXIT_CODE = 130  # 128 + SIGINT: what a shell reports for a program Ctrl-C stopped
SENTENCE = "error: interrupted; what was not committed was not changed"

_ctrl_c_received = False


def listen() -> None:
    """From now on, note each Ctrl-C, then raise KeyboardInterrupt as Python's own handler
    does. An extension module a Ctrl-C stops while it loads may turn the KeyboardInterrupt into
    another error (duckdb's ImportError "Encountered an error while initializing the
    extension.", pandas' SystemError "returned a result with an exception set"): the note says
    whose doing that error is."""
    signal.signal(signal.SIGINT, _note_ctrl_c)


def _note_ctrl_c(signal_number, frame) -> None:
    global _ctrl_c_received
    _ctrl_c_received = True
    signal.default_int_handler(signal_number, frame)


def stopped_by_ctrl_c(error: BaseException) -> bool:
    """Whether ``error`` is a Ctrl-C's doing: a KeyboardInterrupt, or any error once a Ctrl-C
    has been noted (listen)."""
    return isinstance(error, KeyboardInterrupt) or _ctrl_c_received
