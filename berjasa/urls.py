from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from berjasa import second_factor_views
from berjasa.views import PasswordResetConfirmView, favicon, home
from invitations.views import accept as accept_invitation
from programs.views import calculator

second_factor_urls = (
    [
        path("", second_factor_views.status, name="status"),
        path("verify/", second_factor_views.verify, name="verify"),
        path("enrol/", second_factor_views.enrol, name="enrol"),
        path("recovery-codes/", second_factor_views.recovery_codes, name="recovery_codes"),
        path(
            "recovery-codes/new/", second_factor_views.new_recovery_codes, name="new_recovery_codes"
        ),
    ],
    "second_factor",
)

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("no-role/", TemplateView.as_view(template_name="no_role.html"), name="no_role"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/invitation/<str:token>/", accept_invitation, name="invitation_accept"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/second-factor/", include(second_factor_urls)),
    path("admin/", admin.site.urls),
    path("portal/", include("enrollment.portal.urls")),
    path("contribution/", calculator, name="contribution"),
    path("reports/kepatuhan/", include("compliance.urls")),
    path("reports/", include("reports.urls")),
    path("anggaran/", include("budget.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
