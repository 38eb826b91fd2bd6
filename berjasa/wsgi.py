"""The web process: Django's application, and a statement timeout for its database connections."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berjasa.settings")
application = get_wsgi_application()

from berjasa.security import limit_web_statements  # noqa: E402 - needs the settings

# Only the web process limits its statements; commands and the background worker do not load this file.
limit_web_statements()
