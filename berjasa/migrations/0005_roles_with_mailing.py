"""The roles' permissions on the outbox: administrators everything, operators view and send again."""

from django.db import migrations

from berjasa.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("berjasa", "0004_finance_role"),
        ("mailing", "0002_outgoingmail_retry_permission"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
