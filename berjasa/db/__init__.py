"""Django's PostgreSQL and SQLite backends, with one addition: before a transaction commits, the coverage ledger
counts anew the workers whose coverage the transaction may have changed (``reports.ledger.posting.settle``), so
the ledger's changes commit with the memberships' (decision 76). The database's triggers mark those workers; a
transaction that marked none pays one indexed look-up."""

from django.db import DEFAULT_DB_ALIAS

LEDGER_PENDING_TABLE = "reports_coveragepending"


class SettlesCoverageBeforeCommit:
    """The mixin both backends' ``DatabaseWrapper`` use."""

    ledger_ready = False

    def commit(self):
        if self.alias == DEFAULT_DB_ALIAS and not self.needs_rollback and self._has_ledger():
            from reports.ledger.posting import has_pending, settle

            if has_pending():
                settle()
        super().commit()

    def _has_ledger(self) -> bool:
        """Whether the ledger's tables exist (not before ``migrate`` has made them)."""
        if not self.ledger_ready:
            with self.cursor() as cursor:
                self.ledger_ready = LEDGER_PENDING_TABLE in self.introspection.table_names(cursor)
        return self.ledger_ready
