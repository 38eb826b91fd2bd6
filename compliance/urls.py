from django.urls import path

from compliance import views

app_name = "compliance"
urlpatterns = [
    path("", views.compliance, name="compliance"),
    path("<slug:table>.<slug:fmt>", views.download, name="download"),
]
