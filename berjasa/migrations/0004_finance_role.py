"""The finance role, and the roles' permissions on the BPJS and city-budget apps."""

from django.db import migrations

from berjasa.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("berjasa", "0003_roles_with_login_security"),
        ("bpjs", "0001_initial"),
        ("budget", "0001_initial"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
