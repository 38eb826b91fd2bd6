from django.urls import path

from compliance import portal as compliance
from enrollment.portal import change_requests, imports, team, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("employer/", views.choose_employer, name="choose_employer"),
    path("roster/", views.roster, name="roster"),
    path("roster.<str:file_format>", views.roster_download, name="roster_download"),
    path("workers/add/", views.worker_add, name="worker_add"),
    path("workers/<int:pk>/", views.worker_detail, name="worker"),
    path("workers/<int:pk>/edit/", views.worker_edit, name="worker_edit"),
    path("workers/<int:pk>/enrol/", views.worker_enrol, name="worker_enrol"),
    path("workers/<int:pk>/terminate/", views.worker_terminate, name="worker_terminate"),
    path("changes/", change_requests.change_requests, name="change_requests"),
    path(
        "changes/<int:pk>/decide/",
        change_requests.change_request_decide,
        name="change_request_decide",
    ),
    path(
        "changes/<int:pk>/withdraw/",
        change_requests.change_request_withdraw,
        name="change_request_withdraw",
    ),
    # The monthly roster confirmation ("lapor bulanan"): the compliance app's page.
    path("lapor-bulanan/", compliance.monthly, name="monthly"),
    path("imports/", imports.imports, name="imports"),
    path("imports/template.<str:file_format>", imports.import_template, name="import_template"),
    path("imports/<int:pk>/", imports.import_batch, name="import_batch"),
    path("imports/<int:pk>/errors/", imports.import_errors, name="import_errors"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", imports.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/recheck/", imports.import_recheck, name="import_recheck"),
    path("tim/", team.team, name="team"),
    path("tim/riwayat/", team.team_activity, name="team_activity"),
    path("tim/undang/", team.team_invite, name="team_invite"),
    path(
        "tim/undangan/<int:pk>/cabut/",
        team.team_invitation_revoke,
        name="team_invitation_revoke",
    ),
    path("tim/<int:pk>/hapus/", team.team_remove, name="team_remove"),
    path("tim/<int:pk>/kontak-utama/", team.team_make_main_contact, name="team_make_main_contact"),
]
