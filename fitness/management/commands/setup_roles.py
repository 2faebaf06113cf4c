"""Create or update the permission groups that match the chain's jobs.

    python manage.py setup_roles

Idempotent: each group ends with exactly its role's permissions (fitness/roles.py);
a second run says "unchanged". Add people to a group in the admin (Users).
"""
from django.core.management.base import BaseCommand, CommandError

from fitness.roles import MissingPermissions, roles, setup_roles


def print_outcomes(command, outcomes):
    jobs = {role.name: role.job for role in roles()}
    for outcome in outcomes:
        command.stdout.write(f"{outcome.describe()} - {jobs[outcome.name]}")


class Command(BaseCommand):
    help = "Create or update the groups Front desk, Membership manager, Facility manager, HR and payroll, " \
           "Analyst and Data steward with exactly their permissions."

    def handle(self, *args, **options):
        try:
            outcomes = setup_roles()
        except MissingPermissions as missing:
            raise CommandError(str(missing)) from None
        print_outcomes(self, outcomes)
