"""WSGI entry point for production servers (gunicorn fitness.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitness.settings")
application = get_wsgi_application()
