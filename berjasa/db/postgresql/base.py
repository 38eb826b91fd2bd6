from django.db.backends.postgresql import base

from berjasa.db import SettlesCoverageBeforeCommit


class DatabaseWrapper(SettlesCoverageBeforeCommit, base.DatabaseWrapper):
    pass
