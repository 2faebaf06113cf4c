"""Equipment assets, their usage sessions and maintenance history."""
from django.db import models

from fitness.core.constraints import after, at_least, one_of
from fitness.core.fields import IdField
from fitness.core.permissions import ODS_PERMISSIONS

from .choices import EquipmentStatus, MaintenanceType, UsageType


class Equipment(models.Model):
    equipment_id = IdField(primary_key=True, max_length=20, db_column="equipmentid")
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, db_column="facilityid", related_name="equipment"
    )
    area = models.ForeignKey(
        "facilities.FacilityArea", on_delete=models.PROTECT, db_column="areaid", related_name="equipment"
    )
    equipment_name = models.CharField(max_length=120, db_column="equipmentname")
    equipment_type = models.CharField(max_length=60, db_column="equipmenttype")
    brand = models.CharField(max_length=100, db_column="brand")
    model_name = models.CharField(max_length=100, db_column="model")
    serial_number = models.CharField(max_length=40, db_column="serialnumber")
    purchase_date = models.DateField(db_column="purchasedate")
    purchase_price = models.DecimalField(max_digits=10, decimal_places=2, db_column="purchaseprice")
    warranty_expiry = models.DateField(null=True, blank=True, db_column="warrantyexpiry")
    status = models.CharField(max_length=20, choices=EquipmentStatus.choices, db_column="status")

    class Meta:
        db_table = "equipment"
        default_permissions = ODS_PERMISSIONS
        ordering = ["equipment_id"]
        verbose_name_plural = "equipment"
        constraints = [
            one_of("equipment", "status", EquipmentStatus),
            at_least("equipment", "purchase_price", 0),
            after("equipment", "warranty_expiry", "purchase_date", strict=False),
        ]

    def __str__(self):
        return f"{self.equipment_id} {self.equipment_name}"


class EquipmentUsage(models.Model):
    usage_id = IdField(primary_key=True, max_length=20, db_column="usageid")
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, db_column="equipmentid", related_name="usages", db_index=False
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, db_column="memberid", related_name="equipment_usages",
        db_index=False,
    )
    start_time = models.DateTimeField(db_column="starttime", db_index=True)
    end_time = models.DateTimeField(null=True, blank=True, db_column="endtime")
    duration_minutes = models.PositiveIntegerField(null=True, blank=True, db_column="durationminutes")
    usage_type = models.CharField(max_length=20, choices=UsageType.choices, db_column="usagetype")
    notes = models.TextField(null=True, blank=True, db_column="notes")

    class Meta:
        db_table = "equipmentusage"
        default_permissions = ODS_PERMISSIONS
        ordering = ["usage_id"]
        verbose_name_plural = "equipment usage"
        indexes = [
            models.Index(fields=["equipment", "start_time"], name="equsage_equip_time_idx"),
            models.Index(fields=["member", "start_time"], name="equsage_member_time_idx"),
        ]
        constraints = [
            one_of("equipmentusage", "usage_type", UsageType),
            after("equipmentusage", "end_time", "start_time"),
            at_least("equipmentusage", "duration_minutes", 0),
        ]

    def __str__(self):
        return f"{self.usage_id} {self.equipment_id} by {self.member_id}"


class EquipmentMaintenance(models.Model):
    maintenance_id = IdField(primary_key=True, max_length=20, db_column="maintenanceid")
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, db_column="equipmentid", related_name="maintenance", db_index=False
    )
    maintenance_date = models.DateField(db_column="maintenancedate")
    maintenance_type = models.CharField(max_length=20, choices=MaintenanceType.choices, db_column="maintenancetype")
    technician_name = models.CharField(max_length=120, db_column="technicianname")
    description = models.TextField(null=True, blank=True, db_column="description")
    cost = models.DecimalField(max_digits=10, decimal_places=2, db_column="cost")
    parts_replaced = models.TextField(null=True, blank=True, db_column="partsreplaced")
    next_maintenance_date = models.DateField(null=True, blank=True, db_column="nextmaintenancedate")

    class Meta:
        db_table = "equipmentmaintenance"
        default_permissions = ODS_PERMISSIONS
        ordering = ["maintenance_id"]
        verbose_name_plural = "equipment maintenance"
        indexes = [models.Index(fields=["equipment", "maintenance_date"], name="eqmaint_equip_date_idx")]
        constraints = [
            one_of("equipmentmaintenance", "maintenance_type", MaintenanceType),
            at_least("equipmentmaintenance", "cost", 0),
            after("equipmentmaintenance", "next_maintenance_date", "maintenance_date"),
        ]

    def __str__(self):
        return f"{self.maintenance_id} {self.equipment_id} {self.maintenance_date}"
