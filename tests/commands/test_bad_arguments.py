"""Bad arguments are refused before any work: one line naming the option, the command's exit status
(check_ods: 2, the others: 1), nothing written. (Dates: test_date_options.py; seed_ods --seed, --days and
--end-date ranges: tests/seeding/test_engine.py.)"""
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from members.models import Member
from warehouse.models import EtlBatch

pytestmark = pytest.mark.django_db


def refused(capsys, *argv):
    """(exit status, error line) of the command `argv`, which must stop with a one-line CommandError (what
    manage.py prints as "CommandError: <message>") and print nothing. (execute_from_command_line would close
    the test's database connection on its way out.)"""
    with pytest.raises(CommandError) as error:
        call_command(*argv)
    out, err = capsys.readouterr()
    assert out == "" and err == "" and "\n" not in str(error.value), (out, err, str(error.value))
    return error.value.returncode, f"CommandError: {error.value}"


@pytest.mark.parametrize("option, value, limit", [
    ("--members", "0", "1,000,000"), ("--members", "2000000", "1,000,000"),
    ("--facilities", "0", "500"), ("--facilities", "501", "500"),
    ("--staff", "0", "5,000"), ("--staff", "99999999", "5,000"),
])
def test_seed_ods_refuses_a_chain_size_out_of_range(capsys, option, value, limit):
    code, err = refused(capsys, "seed_ods", "--days", "1", "--flush", option, value)
    assert code == 1
    assert err == f"CommandError: {option} must be between 1 and {limit}, got {int(value):,}"
    assert not Member.objects.exists()


@pytest.mark.parametrize("days", ["3661", "999999"])
def test_check_ods_refuses_a_window_longer_than_ten_years(capsys, days):
    code, err = refused(capsys, "check_ods", "--days", days)
    assert code == 2
    assert err == f"CommandError: --days must be between 1 and 3,660 (ten years), got {int(days):,}"


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31", "2100-01-01"])
def test_build_warehouse_refuses_an_as_of_far_from_the_data_before_starting_a_batch(capsys, as_of):
    call_command("seed_ods", "--profile", "small", "--days", "3", "--seed", "1", "--end-date", "2025-03-01")
    capsys.readouterr()
    code, err = refused(capsys, "build_warehouse", "--as-of", as_of)
    assert code == 1
    assert err.startswith(f"CommandError: --as-of {as_of} is more than a year from the data (")
    assert not EtlBatch.objects.exists()


def test_export_ods_refuses_a_path_that_is_a_file(capsys, tmp_path):
    target = tmp_path / "not_a_directory"
    target.write_text("keep me")
    code, err = refused(capsys, "export_ods", str(target))
    assert code == 1 and err == f"CommandError: {target} exists and is not a directory."
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("username", ["", "x" * 151, "no spaces please"])
def test_ensure_admin_refuses_a_username_no_one_could_log_in_with(capsys, username):
    code, err = refused(capsys, "ensure_admin", "--username", username)
    assert code == 1 and err.startswith(f"CommandError: --username {username!r}: ")
    assert not get_user_model().objects.exists()
