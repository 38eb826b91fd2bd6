"""The roles' permissions on invitations: administrators everything, operators add, change and view."""

from django.db import migrations

from berjasa.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("berjasa", "0006_roles_with_compliance"),
        ("invitations", "0001_initial"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
