"""Admin: the ETL batch audit (read-only) and the analytics dashboard, an admin
view at /admin/warehouse/etlbatch/dashboard/ for users with warehouse.view_dashboard
(it shows revenue and labour cost)."""
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse

from fitness.core.permissions import DASHBOARD_PERMISSION

from .dashboard import BUILD_COMMAND, DashboardFilter, dashboard_data, facility_choices, missing_build
from .models import EtlBatch


class DashboardFilterForm(forms.Form):
    facility = forms.ChoiceField(required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [("", "All facilities")] + [
            (fid, f"{fid} {name}") for fid, name in facility_choices()
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date must not be after the end date.")
        return data

    def to_filter(self):
        if not self.is_valid():
            return DashboardFilter()
        data = self.cleaned_data
        return DashboardFilter(facility_id=data.get("facility") or None, start=data.get("start"), end=data.get("end"))


def compact_count(n):
    """A count in at most four characters, for a heat-map cell: 987, 9.9k, 12k, 1.2M."""
    if not n:
        return ""
    if n < 1000:
        return str(n)
    for unit, size in (("k", 1e3), ("M", 1e6), ("G", 1e9)):
        value = n / size
        if value < 9.95:
            return f"{value:.1f}{unit}"
        if value < 999.5:
            return f"{value:.0f}{unit}"
    return f"{value:.0f}G"


def heatmap_rows(peak):
    """[(weekday, [(hour, visits, label, opacity), ...]), ...]: colour strength
    relative to the busiest hour; the label is compact (the exact count is in
    the cell's title), so the 24 columns fit the card at any scale."""
    top = peak["max"] or 1
    return [(day, [(hour, visits, compact_count(visits), round(visits / top, 2)) for hour, visits in enumerate(hours)])
            for day, hours in zip(peak["weekdays"], peak["grid"])]


@admin.register(EtlBatch)
class EtlBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "mode", "status", "as_of", "started_at", "finished_at", "rows_read", "rows_inserted",
                    "rows_updated", "rows_deleted")
    list_filter = ("status", "mode")
    readonly_fields = [f.name for f in EtlBatch._meta.fields]
    change_list_template = "warehouse/etlbatch_change_list.html"

    def has_add_permission(self, request):
        return False  # batches are written by build_warehouse only

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        dashboard = path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="warehouse_dashboard")
        return [dashboard, *super().get_urls()]

    def dashboard_view(self, request):
        if not request.user.has_perm(DASHBOARD_PERMISSION):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Analytics dashboard",
            "opts": self.model._meta,
        }
        hint = missing_build()
        if hint:
            # Nothing to chart yet: say what to run rather than draw empty charts.
            context.update({"missing_build": hint, "build_command": BUILD_COMMAND})
            return TemplateResponse(request, "warehouse/dashboard.html", context)
        form = DashboardFilterForm(request.GET or None)
        data = dashboard_data(form.to_filter())
        context.update({
            "form": form,
            "data": data,
            "heatmap": heatmap_rows(data["peak"]),
            "hours": list(range(24)),
        })
        # Bad filters (an unknown facility, an impossible date) show the whole chain with the form's errors,
        # answered as the bad request they are.
        status = 400 if form.is_bound and not form.is_valid() else 200
        return TemplateResponse(request, "warehouse/dashboard.html", context, status=status)

    def changelist_view(self, request, extra_context=None):
        extra = {**(extra_context or {})}
        if request.user.has_perm(DASHBOARD_PERMISSION):
            extra["dashboard_url"] = reverse("admin:warehouse_dashboard")
        return super().changelist_view(request, extra_context=extra)
