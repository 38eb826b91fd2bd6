"""The Indonesian of third-party models' names, fields and record titles (decision 51).

django-otp writes its model and field names and help texts as plain English strings: they are wrapped here in
``gettext_lazy`` with the package's own text as msgid, translated in ``locale_packages/``. Migrations see the
same text (``makemigrations`` runs without a language). The record titles of axes, django-tasks-db and the role
groups (shown in page titles, breadcrumbs, delete and history pages) read in words with the clerk's moments
instead of ``Access Log for ani @ 2025-08-31 15:59:00+00:00``, ``DBTaskResult object (…)`` and ``administrator``.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from berjasa.formatting import date_time
from berjasa.roles import role_label

APPS_WITH_PLAIN_ENGLISH = ("otp_totp", "otp_static")
# The apps' names in the menu and breadcrumbs ("Axes", "Otp_Totp", "Tasks Database Backend" otherwise).
APP_NAMES = {
    "axes": _("Login locks"),
    "otp_totp": _("Second factor: authenticator apps"),
    "otp_static": _("Second factor: recovery codes"),
    "django_tasks_database": _("Background jobs"),
}


def translatable(text):
    """A plain string as a lazy translation of itself; a translatable or empty one as it is."""
    return _(text) if isinstance(text, str) and text else text


def make_model_names_translatable(model: type[models.Model]) -> None:
    """The model's names, its fields' names and help texts (all plain strings in these apps) translatable."""
    opts = model._meta
    opts.verbose_name_plural = translatable(
        str(opts.verbose_name_plural)
    )  # "TOTP devices", made from the name
    opts.verbose_name = translatable(opts.verbose_name)
    for model_field in opts.fields:
        model_field.verbose_name = translatable(model_field.verbose_name)
        model_field.help_text = translatable(model_field.help_text)


def moment(value) -> str:
    return date_time(value) if value else "—"


def failed_login_title(log: AccessFailureLog) -> str:
    return gettext("Failed login of %(username)s on %(moment)s from %(address)s") % {
        "username": log.username or "—",
        "moment": moment(log.attempt_time),
        "address": log.ip_address or "—",
    }


def counted_failures_title(attempt: AccessAttempt) -> str:
    return gettext("Failed logins of %(username)s from %(address)s since %(moment)s") % {
        "username": attempt.username or "—",
        "moment": moment(attempt.attempt_time),
        "address": attempt.ip_address or "—",
    }


def login_title(log: AccessLog) -> str:
    return gettext("Login of %(username)s on %(moment)s") % {
        "username": log.username or "—",
        "moment": moment(log.attempt_time),
    }


def background_job_title(result: DBTaskResult) -> str:
    return gettext("Background job %(task)s, enqueued on %(moment)s") % {
        "task": result.task_path.rpartition(".")[2],
        "moment": moment(result.enqueued_at),
    }


def read_third_party_models_in_indonesian() -> None:
    """Called once from ``BerjasaConfig.ready``."""
    for label, name in APP_NAMES.items():
        apps.get_app_config(label).verbose_name = name
    for label in APPS_WITH_PLAIN_ENGLISH:
        for model in apps.get_app_config(label).get_models():
            make_model_names_translatable(model)
    AccessFailureLog.__str__ = failed_login_title
    AccessAttempt.__str__ = counted_failures_title
    AccessLog.__str__ = login_title
    DBTaskResult.__str__ = background_job_title
    Group.__str__ = role_label
