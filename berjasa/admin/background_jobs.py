"""The administrators' read-only page of background jobs (django-tasks-db), in words and the clerk's moments."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult, get_date_max

from berjasa.formatting import date_time

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class BackgroundJobAdmin(DBTaskResultAdmin):
    """The job by its title, not its UUID; its arguments and return value (stored JSON) are not shown."""

    list_display = ("__str__", "status", "enqueued_at", "started_at", "finished_at")
    hidden_fields = ("id", "args_kwargs", "worker_ids", "return_value", "task_path")

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [
            name
            for name in super().get_readonly_fields(request, obj)
            if name not in self.hidden_fields
        ]

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj: DBTaskResult) -> str:
        if obj.run_after == get_date_max():
            return self.get_empty_value_display()
        return date_time(obj.run_after)
