"""The CLI's commands, one module each: `add_parser(subparsers)` sets `run(args) -> exit code`."""

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2

from . import build, check, init, serve  # noqa: E402 - the exit codes above are imported by the commands

COMMANDS = [build, check, init, serve]
