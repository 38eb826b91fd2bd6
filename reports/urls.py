from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("download/<slug:identifier>.<slug:fmt>", views.download, name="download"),
    path("snapshots/new/", views.make_snapshot, name="make-snapshot"),
    path("snapshots/<int:pk>/<slug:fmt>/", views.snapshot_file, name="snapshot-file"),
]
