"""Delivering the outbox (the background worker). To be written: see decision 71."""

from django.db import transaction


def request_delivery() -> None:
    """Ask the background worker to deliver what is due, once the current transaction commits."""
    transaction.on_commit(lambda: None)
