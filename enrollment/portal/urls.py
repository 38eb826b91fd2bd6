from django.urls import path

from enrollment.portal import views

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
]
