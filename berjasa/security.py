"""What keeps personal data out of shared caches and other sites, and keeps one request from holding the database.

- ``SecurityHeadersMiddleware``: ``Permissions-Policy`` on every response; ``Cache-Control: no-store, private``
  on every response to a signed-in user and on the login pages (static files, served by WhiteNoise before
  this middleware, keep theirs). Content-Security-Policy is django-csp's (settings ``CONTENT_SECURITY_POLICY``),
  Referrer-Policy Django's (``SECURE_REFERRER_POLICY``).
- ``limit_web_statements``: called by ``wsgi.py`` and ``asgi.py`` only, so every database connection the web
  process opens cancels a statement after ``WEB_STATEMENT_TIMEOUT_SECONDS``; commands and ``db_worker`` never
  import those files and keep no limit. ``StatementTimeoutMiddleware`` answers a cancelled statement with a
  page that says so (503) instead of a bare server error.
"""

from django.conf import settings
from django.db import OperationalError
from django.db.backends.signals import connection_created
from django.shortcuts import render

# Browser features no page of the portal uses; nothing on it (or injected into it) may ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
# Pages where credentials are typed: never kept by a browser or proxy cache, even before a login.
LOGIN_PATH_PREFIXES = ("/accounts/", "/admin/login/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.user.is_authenticated or request.path.startswith(LOGIN_PATH_PREFIXES):
            response["Cache-Control"] = "no-store, private"
        return response


def limit_web_statements() -> None:
    """Give every database connection this process opens the web requests' statement timeout."""
    connection_created.connect(_set_statement_timeout, dispatch_uid="berjasa.web_statement_timeout")


def _set_statement_timeout(sender, connection, **kwargs) -> None:
    seconds = settings.WEB_STATEMENT_TIMEOUT_SECONDS
    if connection.vendor == "postgresql" and seconds:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{seconds}s"])


def _is_statement_timeout(error: BaseException) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "57014"  # query_canceled (statement_timeout)


class StatementTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and _is_statement_timeout(exception):
            return render(request, "statement_timeout.html", status=503)
        return None
