"""Create the role groups with their permissions (see berjasa.roles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from berjasa.roles import Role, role_permission_codenames

PROJECT_APPS = ("auth", "programs", "enrollment", "reports")


def sync_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in=PROJECT_APPS
        )
    }
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = role_permission_codenames(role, list(permissions))
        group.permissions.set([permissions[key] for key in wanted])


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programs", "0001_initial"),
        ("enrollment", "0002_membership_no_overlap"),
        ("reports", "0001_initial"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
