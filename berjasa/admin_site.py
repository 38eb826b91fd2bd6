"""The admin site: Django's, with every history page for administrators only (README's roles table).

Operators enter and correct data; the history of records (Django's log of a record and django-simple-history's
past versions) is for administrators. The rule is the site's, so a model registered tomorrow follows it too.
"""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from berjasa.roles import REPORT_READER_ROLES, Role, user_has_any_role, user_has_role

# ModelAdmin.history_view (the admin's log of a record; django-simple-history's list of versions replaces it)
# and django-simple-history's history_form_view (one past version).
HISTORY_VIEWS = frozenset({"history_view", "history_form_view"})


# Models whose packages give them no Indonesian name, as the menu (index, app pages, sidebar) names them.
MENU_NAMES = {
    "otp_totp.totpdevice": _("Authenticator apps"),
    "otp_static.staticdevice": _("Recovery codes"),
    "django_tasks_database.dbtaskresult": _("Background job results"),
}


def may_read_history(user) -> bool:
    return user_has_role(user, Role.ADMINISTRATOR)


class BerjasaAdminSite(admin.AdminSite):
    site_header = _("Makassar Berjasa — Disnaker Kota Makassar")
    site_title = _("Makassar Berjasa")
    index_title = _("Social-security coverage of Makassar's workers")
    # "View site" would lead back to the admin (staff's home page); templates/admin/base_site.html links the
    # reports and the contribution calculator by name instead.
    site_url = None

    def admin_view(self, view, cacheable=False):
        if getattr(view, "__name__", None) in HISTORY_VIEWS:
            view = _administrators_only(view)
        return super().admin_view(view, cacheable)

    def autocomplete_view(self, request):
        """Autocomplete results are a list of people: their NIKs masked (``privacy.admin``)."""
        from privacy.admin import MaskedAutocompleteJsonView

        return MaskedAutocompleteJsonView.as_view(admin_site=self)(request)

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                key = f"{app['app_label']}.{model['object_name'].lower()}"
                model["name"] = MENU_NAMES.get(key, model["name"])
            app["models"].sort(key=lambda model: str(model["name"]).lower())
        return sorted(app_list, key=lambda app: str(app["name"]).lower())

    def each_context(self, request):
        # templates/admin/change_form_object_tools.html shows the History button only then; base_site.html the
        # link to the reports.
        return {
            **super().each_context(request),
            "may_read_history": may_read_history(request.user),
            "may_read_reports": user_has_any_role(request.user, REPORT_READER_ROLES),
        }


def _administrators_only(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not may_read_history(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded
