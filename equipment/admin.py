"""Admin for equipment, usage sessions and maintenance history."""
from django.contrib import admin

from fitness.admin_support import DataMonthFilter, OdsModelAdmin

from .models import Equipment, EquipmentMaintenance, EquipmentUsage
from .resources import EquipmentMaintenanceResource, EquipmentResource, EquipmentUsageResource


@admin.register(Equipment)
class EquipmentAdmin(OdsModelAdmin):
    resource_classes = [EquipmentResource]
    list_display = (
        "equipment_id", "equipment_name", "equipment_type", "brand", "model_name", "facility", "area_id",
        "purchase_date", "purchase_price", "status",
    )
    list_filter = ("status", "facility")
    list_select_related = ("facility",)
    search_fields = ("equipment_id__exact", "serial_number__exact", "equipment_name")
    search_help_text = "Exact equipment id or serial number, or part of the name."
    raw_id_fields = ("area",)
    ordering = ("equipment_id",)


@admin.register(EquipmentUsage)
class EquipmentUsageAdmin(OdsModelAdmin):
    resource_classes = [EquipmentUsageResource]
    list_display = ("usage_id", "equipment_id", "member_id", "start_time", "end_time", "duration_minutes", "usage_type")
    list_filter = ("usage_type", ("start_time", DataMonthFilter), "equipment__facility")
    search_fields = ("usage_id__exact", "equipment__equipment_id__exact", "member__member_id__exact")
    search_help_text = "Exact usage id, equipment id or member id."
    raw_id_fields = ("equipment", "member")
    # Newest first by the start, served by the start time indexes (alone, by machine, by member).
    ordering = ("-start_time", "-usage_id")


@admin.register(EquipmentMaintenance)
class EquipmentMaintenanceAdmin(OdsModelAdmin):
    resource_classes = [EquipmentMaintenanceResource]
    list_display = (
        "maintenance_id", "equipment_id", "maintenance_date", "maintenance_type", "technician_name", "cost",
        "next_maintenance_date",
    )
    list_filter = ("maintenance_type", ("maintenance_date", DataMonthFilter))
    search_fields = ("maintenance_id__exact", "equipment__equipment_id__exact")
    search_help_text = "Exact maintenance id or equipment id."
    raw_id_fields = ("equipment",)
    ordering = ("-maintenance_id",)
