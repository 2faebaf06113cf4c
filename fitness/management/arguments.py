"""Option types shared by the management commands (fitness and warehouse).

`date_argument` is the one way our commands read a date option
(`seed_ods --end-date`, `check_ods --as-of`, `build_warehouse --as-of`)::

    parser.add_argument("--as-of", type=date_argument("--as-of", parser, returncode=2))

A bad value, malformed ("15/03/2024", "2024-3-1") or impossible ("2026-02-30"),
is one sentence naming the option and the expected form, and the command's
own exit status: printed as `CommandError: ...` on the command line,
raised as a `CommandError` (with that `returncode`) under `call_command`.
"""
import datetime as dt
import re

from django.core.management.base import CommandError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_iso_date(option, text):
    """`text` as a date, or a CommandError naming `option` and the form YYYY-MM-DD."""
    expected = f"{option} expects a date as YYYY-MM-DD, got {text!r}"
    if not ISO_DATE.fullmatch(text):
        raise CommandError(expected)
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:  # well formed but no such day, e.g. 2026-02-30
        raise CommandError(f"{expected} ({error})") from None


def date_argument(option, parser, *, returncode=1):
    """An argparse `type` for the date option `option` of the command whose
    parser is `parser`; a bad date ends the command with `returncode`.

    argparse turns only ValueError/TypeError into its own usage message (exit
    2), and Django's command-line runner does not catch a CommandError raised
    while options are parsed, so this type answers for itself: on the command
    line it prints one line and exits, under `call_command` it raises."""

    def to_date(text):
        try:
            return parse_iso_date(option, text)
        except CommandError as error:
            if getattr(parser, "called_from_command_line", False):
                parser.exit(returncode, f"CommandError: {error}\n")
            raise CommandError(str(error), returncode=returncode) from None

    to_date.__name__ = "date"
    return to_date
