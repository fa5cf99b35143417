from django.contrib import admin

from jaga.reports.models import Supervision


@admin.register(Supervision)
class SupervisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["supervisor", "institution", "created_at"]
    list_filter = ["supervisor"]
