"""One module per subcommand: each exposes HELP, ``add_arguments(parser)`` and ``run(args) -> int``."""

COMMANDS = ("demo", "validate", "sample", "assess", "district", "review", "plan")
