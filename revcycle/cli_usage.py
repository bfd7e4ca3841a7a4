"""Usage errors on the command line: an argument the command does not take, said as argparse
says its own — the command's usage line, then one sentence naming the value and what it may be
— with exit code 2. argparse finds most of them while it parses; the others show only later
(a field the file's kind lacks, an upload the history lacks) and raise UsageError, which the
command line says the same way."""

import argparse
import sys
from collections.abc import Callable

from revcycle.importer.validate import name_value_pairs

USAGE_ERROR = 2  # argparse's exit code for a usage error


class UsageError(Exception):
    """An argument the command does not take, found after parsing; the message names the value
    and what it may be."""


class CommandParser(argparse.ArgumentParser):
    """A command's parser (and its sub-commands', which argparse makes of the same class): it
    puts itself in the arguments it parses, as ``args.command_parser``, so that a UsageError
    is said with the usage line of the command that was run, not the top-level one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_defaults(command_parser=self)

    def usage_error(self, message: str) -> int:
        """Say ``message`` as argparse says a usage error; its exit code."""
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        return USAGE_ERROR


def pair_argument(form: str) -> Callable[[str], tuple[str, str]]:
    """An argparse type for ``form`` ("FIELD=VALUE"): the text as a (name, value) pair, both
    trimmed; any other text a usage error that names ``form``."""

    def pair(text: str) -> tuple[str, str]:
        try:
            ((name, value),) = name_value_pairs([text]).items()
        except ValueError:
            raise argparse.ArgumentTypeError(f"{form}, not {text!r}") from None
        return name, value

    return pair
