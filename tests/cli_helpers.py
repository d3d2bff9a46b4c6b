"""Shared by the command-line tests: run ``python -m lstm_course ARGV`` in this process."""

from lstm_course import __main__ as cli


def run_cli(capsys, *argv):
    """``python -m lstm_course ARGV`` in this process: ``(exit status, stdout, stderr)``."""
    try:
        cli.main(list(argv))
        status = 0
    except SystemExit as stop:
        status = stop.code
    out, err = capsys.readouterr()
    return status, out, err
