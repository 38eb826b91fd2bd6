"""Give the roles the permissions of the audit-history models (administrators read history)."""

from django.db import migrations

from berjasa.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("berjasa", "0001_roles"), ("enrollment", "0004_audit_history")]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
