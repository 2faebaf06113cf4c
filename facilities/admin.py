"""Admin for facilities, their areas and member check-ins."""
from django.contrib import admin

from fitness.admin_support import DataMonthFilter, OdsModelAdmin, OdsTabularInline

from .models import Facility, FacilityArea, MemberAccess
from .resources import FacilityAreaResource, FacilityResource, MemberAccessResource


class FacilityAreaInline(OdsTabularInline):
    model = FacilityArea
    fields = ("area_id", "area_name", "area_type", "max_capacity", "square_footage", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Facility)
class FacilityAdmin(OdsModelAdmin):
    resource_classes = [FacilityResource]
    list_display = (
        "facility_id", "facility_name", "city", "state", "phone_number", "open_time", "close_time", "is_active",
    )
    list_filter = ("is_active", "state")
    search_fields = ("facility_id", "facility_name", "city")
    ordering = ("facility_id",)
    inlines = [FacilityAreaInline]


@admin.register(FacilityArea)
class FacilityAreaAdmin(OdsModelAdmin):
    resource_classes = [FacilityAreaResource]
    list_display = ("area_id", "area_name", "facility", "area_type", "max_capacity", "square_footage", "is_active")
    list_filter = ("area_type", "is_active", "facility")
    list_select_related = ("facility",)
    search_fields = ("area_id", "area_name", "facility__facility_name")
    ordering = ("area_id",)


@admin.register(MemberAccess)
class MemberAccessAdmin(OdsModelAdmin):
    resource_classes = [MemberAccessResource]
    list_display = (
        "access_id", "member_id", "facility_id", "area_id", "check_in_time", "check_out_time",
        "access_method", "duration",
    )
    list_filter = ("access_method", ("check_in_time", DataMonthFilter), "facility")
    search_fields = ("access_id__exact", "member__member_id__exact")
    search_help_text = "Exact access id or member id."
    raw_id_fields = ("member", "area")
    # Newest first by the check-in, served by the check-in time indexes (alone, by facility, by member), so
    # a time, facility or member filter reads only the rows it shows.
    ordering = ("-check_in_time", "-access_id")
