from django.urls import path  # noqa: F401 - routes are added with the reports views

app_name = "reports"
urlpatterns: list = []
