"""The four roles, in one place. Each is a Django group created by a data migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    OPERATOR = "operator", _("Operator")
    MANAGER = "manager", _("Manager")
    FINANCE = "finance", _("Finance")
    EMPLOYER = "employer", _("Employer")


# Apps whose records operators enter and correct (add, change, view; never delete).
# Invitations: operators invite employers, re-send and revoke (no deletes: an invitation's record stays).
OPERATOR_DATA_APPS = ("enrollment", "bpjs", "invitations")
# Models of those apps that are administrators' alone: the column headings of BPJS's files (decision 61).
ADMINISTRATOR_ONLY_MODELS = ("columnmapping",)
# The outbox (decision 71): operators read it and send a failed or bounced mail again; nobody adds or deletes.
OPERATOR_PERMISSIONS = (("mailing", "view_outgoingmail"), ("mailing", "retry_outgoingmail"))
# Apps whose records code writes and operators decide on (view, and change through the admin's actions; never
# add or delete): the monthly roster confirmations, which Disnaker's staff reopen with a reason.
OPERATOR_DECISION_APPS = ("compliance",)
# Reference data operators may look at but not change.
OPERATOR_READ_APPS = ("programs", "reports")

# Roles that work in the Django admin (users in these groups get is_staff).
STAFF_ROLES = (Role.ADMINISTRATOR, Role.OPERATOR)
# Roles that read the aggregate dashboard and reports (no personal data; decision 53): managers, and Disnaker's
# staff, who check there the figures their data entry makes.
REPORT_READER_ROLES = (Role.MANAGER, Role.ADMINISTRATOR, Role.OPERATOR)
# Roles that store a period's report snapshot from the dashboard: the staff, who know when a month's data is
# complete; managers read the snapshots (decision 53).
SNAPSHOT_MAKER_ROLES = STAFF_ROLES
# The city budget's pages (decision 60): bills, invoices, payments and the budget view. Finance records invoices
# and payments and reads a bill's participant list (it checks BPJS's invoice person by person); managers read
# the bills' totals and the budget view, never a participant list; administrators do everything.
BUDGET_READER_ROLES = (Role.ADMINISTRATOR, Role.FINANCE, Role.MANAGER)
BUDGET_KEEPER_ROLES = (Role.ADMINISTRATOR, Role.FINANCE)
PARTICIPANT_LIST_ROLES = (Role.ADMINISTRATOR, Role.FINANCE)


def role_permission_codenames(role: str, perms: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (app_label, codename) pairs a role holds, chosen from all ``perms`` of the project."""
    if role == Role.ADMINISTRATOR:
        return list(perms)
    if role == Role.OPERATOR:
        return [
            (app, code)
            for app, code in perms
            if "historical" not in code
            and not code.endswith(ADMINISTRATOR_ONLY_MODELS)
            and (
                (app in OPERATOR_DATA_APPS and not code.startswith("delete_"))
                or (app in OPERATOR_READ_APPS and code.startswith("view_"))
                or (app, code) in OPERATOR_PERMISSIONS
                or (app in OPERATOR_DECISION_APPS and code.startswith(("view_", "change_")))
            )
        ]
    if role == Role.MANAGER:
        return [
            (app, code)
            for app, code in perms
            if app in ("reports", "budget") and code.startswith("view_")
        ]
    if role == Role.FINANCE:
        return [
            (app, code)
            for app, code in perms
            if app == "budget" and not code.startswith("delete_") and "budgetline" not in code
        ] + [("budget", "view_budgetline")]
    return []


# Apps whose permissions the roles are given (login locks, second-factor devices and background jobs' results:
# administrators only).
PROJECT_APPS = (
    "auth",
    "programs",
    "enrollment",
    "reports",
    "axes",
    "otp_totp",
    "otp_static",
    "privacy",
    "django_tasks_database",
    "bpjs",
    "budget",
    "mailing",
    "compliance",
    "invitations",
)


def sync_role_groups(apps) -> None:
    """Create the role groups and give each its permissions; run by data migrations with their ``apps``."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_role_permissions(apps)


def assign_role_permissions(apps) -> None:
    """Make each role group hold exactly its permissions (idempotent)."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = {
        (p.content_type.app_label, p.codename): p
        for p in permission_model.objects.select_related("content_type").filter(
            content_type__app_label__in=PROJECT_APPS
        )
    }
    for role in Role:
        group, _created = group_model.objects.get_or_create(name=role.value)
        wanted = role_permission_codenames(role, list(permissions))
        group.permissions.set([permissions[key] for key in wanted])


def sync_roles_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: keep the groups in step with the models (also after a test database is flushed)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for label in PROJECT_APPS:
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    assign_role_permissions(apps)


def user_has_any_role(user, roles) -> bool:
    return any(user_has_role(user, role) for role in roles)


def user_has_role(user, role: str) -> bool:
    """Whether ``user`` holds ``role``; the user's groups are read once per user object (once per request)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser and role == Role.ADMINISTRATOR:
        return True
    names = getattr(user, "_role_names", None)
    if names is None:
        names = user._role_names = frozenset(user.groups.values_list("name", flat=True))
    return role in names


def role_label(group) -> str:
    """A role group by its role's name (``Administrator``); the group's name stays the role's code."""
    return str(Role(group.name).label) if group.name in Role.values else group.name
