"""The roles' permissions on the monthly roster confirmations: administrators everything, operators view and
reopen (change); managers none in the admin (they read the compliance page)."""

from django.db import migrations

from berjasa.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("berjasa", "0005_roles_with_mailing"),
        ("compliance", "0001_initial"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
