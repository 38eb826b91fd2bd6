"""Where reads and writes go: everything to the primary (``default``), except the reports' reads, which go to
``settings.REPORTS_DATABASE`` (the read replica when ``DATABASE_REPLICA_URL`` is set). The replica is never
migrated: it is a copy of the primary."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

# The models only reports read, and which a replica may answer.
REPORT_MODELS = {
    "reports.coveragebalance",
    "reports.coveragechange",
    "reports.coverageledgermonth",
    "reports.coverageledgerstate",
}


def reports_database() -> str:
    """The alias the reports read from."""
    return settings.REPORTS_DATABASE


class ReportsRouter:
    def db_for_read(self, model, **hints):
        return reports_database() if model._meta.label_lower in REPORT_MODELS else None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
