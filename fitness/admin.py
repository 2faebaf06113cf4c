"""Admin for the ODS's own bookkeeping: saved data-quality runs, with a "Data
quality" page listing recent runs and showing one report (the latest by
default) rule by rule, with its realism measures when the run computed them.
The page needs fitness.view_data_quality (a plain view of the runs does not)."""
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .core.permissions import DATA_QUALITY_PERMISSION
from .models import QualityRun
from .quality.formatting import format_value

RECENT_RUNS = 20


@admin.register(QualityRun)
class QualityRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "verdict", "checks_run", "checks_failed", "violations", "report_link")
    list_filter = ("success",)
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in QualityRun._meta.fields]
    change_list_template = "admin/quality/qualityrun_change_list.html"

    def has_add_permission(self, request):
        return False  # runs come from check_ods / run_checks, not from a form

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="result", boolean=False)
    def verdict(self, run):
        return "pass" if run.success else "FAIL"

    @admin.display(description="report")
    def report_link(self, run):
        url = reverse("admin:fitness_qualityrun_data_quality") + f"?run={run.pk}"
        return format_html('<a href="{}">rule by rule</a>', url)

    def get_urls(self):
        custom = [
            path(
                "data-quality/",
                self.admin_site.admin_view(self.data_quality_view),
                name="fitness_qualityrun_data_quality",
            )
        ]
        return custom + super().get_urls()

    def get_fields(self, request, obj=None):
        """The run's page shows the report document only to those who may see the Data quality page."""
        fields = super().get_fields(request, obj)
        if request.user.has_perm(DATA_QUALITY_PERMISSION):
            return fields
        return [name for name in fields if name != "report"]

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if request.user.has_perm(DATA_QUALITY_PERMISSION):
            return shown
        return [name for name in shown if name != "report_link"]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_view_data_quality": request.user.has_perm(DATA_QUALITY_PERMISSION), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def data_quality_view(self, request):
        """Recent runs, and the chosen run's report (?run=<id>, default the latest)."""
        if not request.user.has_perm(DATA_QUALITY_PERMISSION):
            raise PermissionDenied
        runs = QualityRun.objects.order_by("-started_at", "-id")
        run = request.GET.get("run")
        if run and not run.isdigit():  # a run id is a number: anything else names no run (not a server error)
            raise Http404(f"No data quality run {run!r}.")
        selected = get_object_or_404(QualityRun, pk=int(run)) if run else runs.first()
        report = selected.report if selected else {}
        context = {
            **self.admin_site.each_context(request),
            "title": "Data quality",
            "opts": self.model._meta,
            "runs": runs[:RECENT_RUNS],
            "selected": selected,
            "report": report,
            "checks": report.get("checks", []),
            "completeness": sorted(report.get("completeness", {}).items()),
            "realism": [dict(result, shown=format_value(result)) for result in report.get("realism", [])],
        }
        return TemplateResponse(request, "admin/quality/data_quality.html", context)
