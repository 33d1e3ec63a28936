"""The command line: a Typer app, one module per command group. Command modules import only
what `--help` needs; the database stack is imported inside the commands that use it."""
