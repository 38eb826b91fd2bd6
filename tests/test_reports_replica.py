"""A read replica answers the reports (``DATABASE_REPLICA_URL``; berjasa.routers): tested with a second database
connection, ``replica``, opened on the test database as a streaming replica presents the primary's data."""

from datetime import date

import pytest
from django.db import connection, connections, router
from django.test.utils import CaptureQueriesContext

from reports.models import CoverageBalance, CoverageLedgerState, CoveragePending
from reports.queries import claims_paid, coverage_on, coverage_trend
from tests import factories

D = date(2025, 8, 31)
LEDGER_TABLES = ("reports_coveragebalance", "reports_coveragechange", "reports_coverageledgermonth")


@pytest.fixture
def replica(settings):
    """The ``replica`` alias, a second connection to the test database, and the reports pointed at it."""
    primary = connections["default"]
    connections["replica"] = type(primary)({**primary.settings_dict}, alias="replica")
    settings.REPORTS_DATABASE = "replica"
    yield connections["replica"]
    connections["replica"].close()
    del connections["replica"]


def statements(queries: CaptureQueriesContext) -> str:
    return "\n".join(query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_reports_read_the_ledger_and_the_claims_from_the_replica(reference_data, replica):
    worker = factories.make_worker()
    factories.make_membership(worker, "JKK", start_date=date(2024, 1, 1))
    factories.make_membership(worker, "JKM", start_date=date(2024, 1, 1))
    # The memberships' statements committed alone (autocommit): the first read settles them on the primary.
    assert coverage_on(D).total == 1
    assert not CoveragePending.objects.exists()
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connection) as on_primary,
    ):
        assert coverage_on(D, dimensions=["segment", "sex"]).total == 1
        assert [point.total for point in coverage_trend([date(2023, 12, 31), D])] == [0, 1]
        claims_paid(date(2025, 8, 1), D)
    assert all(table in statements(on_replica) for table in LEDGER_TABLES)
    assert "enrollment_claim" in statements(on_replica)
    assert not any(table in statements(on_primary) for table in LEDGER_TABLES)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writes_and_migrations_stay_on_the_primary(reference_data, replica):
    assert router.db_for_read(CoverageBalance) == "replica"
    assert router.db_for_write(CoverageBalance) == "default"
    assert router.db_for_read(CoverageLedgerState) == "replica"
    assert router.allow_migrate("replica", "reports") is False
    assert router.allow_migrate("default", "reports") is True
    # The state is locked for a settlement on the primary, never on the replica.
    assert CoverageLedgerState.objects.select_for_update().db == "default"


def test_without_a_replica_the_reports_read_the_primary(reference_data):
    assert router.db_for_read(CoverageBalance) == "default"
