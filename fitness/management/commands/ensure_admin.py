"""Create or update a superuser without prompts (used by the README quick start).

    python manage.py ensure_admin [--username U] [--password P] [--email E]

Username and password come from the options, else ADMIN_USERNAME /
ADMIN_PASSWORD, else admin / admin. The admin/admin default is for
development only: with DEBUG off a password must be given, and it must pass
the project's password validators (length, not common, not numeric, not like
the username). It also runs setup_roles, so the role groups exist for the
users the admin adds.
"""
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fitness.roles import MissingPermissions, setup_roles

from .setup_roles import print_outcomes

DEV_USERNAME = "admin"
DEV_PASSWORD = "admin"


def ensure_superuser(username, password, email=""):
    """Create the superuser, or reset an existing user's password and make it an
    active superuser. Returns True if the user was created."""
    user_model = get_user_model()
    user, created = user_model._default_manager.get_or_create(**{user_model.USERNAME_FIELD: username})
    user.email = email or user.email
    user.is_staff = True
    user.is_superuser = True
    user.is_active = True
    user.set_password(password)
    user.save()
    return created


def refuse_bad_username(username):
    """A one-line CommandError for a username the login form could never take (empty, too long, bad characters)."""
    user_model = get_user_model()
    try:
        user_model._meta.get_field(user_model.USERNAME_FIELD).clean(username, None)
    except ValidationError as error:
        raise CommandError(f"--username {username!r}: {' '.join(error.messages)}") from None


def refuse_weak_password(password, username, email):
    """CommandError with Django's reasons (AUTH_PASSWORD_VALIDATORS) for a password too weak for production."""
    user = get_user_model()(**{get_user_model().USERNAME_FIELD: username, "email": email})
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise CommandError("DEBUG is off and the password is too weak: " + " ".join(error.messages)) from None


class Command(BaseCommand):
    help = "Create or update a superuser without prompts (default admin/admin, development only)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("ADMIN_USERNAME", DEV_USERNAME))
        parser.add_argument("--password", default=os.environ.get("ADMIN_PASSWORD"))
        parser.add_argument("--email", default=os.environ.get("ADMIN_EMAIL", ""))

    def handle(self, *args, username, password, email, **options):
        refuse_bad_username(username)
        if not password:
            if not settings.DEBUG:
                raise CommandError("DEBUG is off: give a password with --password or ADMIN_PASSWORD.")
            password = DEV_PASSWORD
        elif not settings.DEBUG:
            refuse_weak_password(password, username, email)
        created = ensure_superuser(username, password, email)
        verb = "Created" if created else "Updated"
        shown = password if password == DEV_PASSWORD else "(the password you gave)"
        try:
            outcomes = setup_roles()
        except MissingPermissions as missing:
            raise CommandError(str(missing)) from None
        print_outcomes(self, outcomes)
        self.stdout.write(self.style.SUCCESS(f"{verb} superuser. Log in at /admin/ as {username} / {shown}"))
