"""The CLI's commands, one module each: `add_parser(subparsers)` sets `run(args) -> exit code`
(slidekit/cli.py lists them)."""

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
