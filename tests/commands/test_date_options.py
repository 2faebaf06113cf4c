"""Every date option of our commands is read by fitness.management.arguments.date_argument:
a bad date (malformed or impossible) is one line naming the option and the form
YYYY-MM-DD, and the command's own exit status (check_ods: 2, the others: 1)."""
import datetime as dt

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from fitness.management.arguments import date_argument, parse_iso_date

DATE_OPTIONS = [  # command, option, exit status for a bad date
    ("seed_ods", "--end-date", 1),
    ("check_ods", "--as-of", 2),
    ("build_warehouse", "--as-of", 1),
]
BAD_DATES = ["2026-02-30", "15/03/2024", "2024-3-1", "20240315", "tomorrow"]


@pytest.mark.parametrize("command, option, returncode", DATE_OPTIONS)
@pytest.mark.parametrize("bad", BAD_DATES)
def test_bad_date_on_the_command_line_is_one_line_and_the_commands_exit_status(
    command, option, returncode, bad, capsys
):
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", command, option, bad])
    assert exit_.value.code == returncode
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"CommandError: {option} expects a date as YYYY-MM-DD, got {bad!r}")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("command, option, returncode", DATE_OPTIONS)
def test_bad_date_under_call_command_raises_with_the_commands_exit_status(command, option, returncode):
    with pytest.raises(CommandError) as error:
        call_command(command, option, "2026-02-30")
    assert error.value.returncode == returncode
    assert str(error.value) == (
        f"{option} expects a date as YYYY-MM-DD, got '2026-02-30' (day is out of range for month)"
    )


def test_impossible_date_says_why():
    with pytest.raises(CommandError, match=r"got '2025-04-31' \(day is out of range for month\)"):
        parse_iso_date("--as-of", "2025-04-31")


def test_good_dates_are_dates():
    class Parser:  # what date_argument needs of a CommandParser
        called_from_command_line = False

    to_date = date_argument("--as-of", Parser())
    assert to_date("2024-02-29") == dt.date(2024, 2, 29)
    assert to_date("2025-01-01") == dt.date(2025, 1, 1)
