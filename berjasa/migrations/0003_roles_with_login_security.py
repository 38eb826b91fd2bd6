"""Give administrators the permissions of login locks (django-axes) and second-factor devices (django-otp)."""

from django.db import migrations

from berjasa.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("berjasa", "0002_roles_with_history"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
