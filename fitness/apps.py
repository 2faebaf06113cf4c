from django.apps import AppConfig
from django.db.backends.signals import connection_created

# How often (ms) a PostgreSQL backend looks whether its client is still there while it runs a statement.
CLIENT_CHECK_MS = 1000


def check_for_a_gone_client(sender, connection, **kwargs):
    """When a client dies (a killed command), its server stops the running statement (an index build, a big
    INSERT ... SELECT) within a second and frees its locks, instead of finishing it first. Set per session
    rather than as a startup option, which connection poolers such as PgBouncer refuse."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET client_connection_check_interval = {CLIENT_CHECK_MS}")


class FitnessConfig(AppConfig):
    name = "fitness"
    verbose_name = "Fitness ODS"

    def ready(self):
        connection_created.connect(check_for_a_gone_client, dispatch_uid="fitness.check_for_a_gone_client")
