from django.db.backends.sqlite3 import base

from berjasa.db import SettlesCoverageBeforeCommit


class DatabaseWrapper(SettlesCoverageBeforeCommit, base.DatabaseWrapper):
    pass
