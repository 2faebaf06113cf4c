"""Facilities (locations), the areas inside them, and member check-ins."""
from django.db import models

from fitness.core.constraints import after, at_least, one_of, positive
from fitness.core.fields import IdField
from fitness.core.permissions import ODS_PERMISSIONS

from .choices import AccessMethod, AreaType


class Facility(models.Model):
    facility_id = IdField(primary_key=True, max_length=20, db_column="facilityid")
    facility_name = models.CharField(max_length=120, db_column="facilityname")
    address = models.CharField(max_length=200, db_column="address")
    city = models.CharField(max_length=100, db_column="city")
    state = models.CharField(max_length=50, db_column="state")
    zip_code = models.CharField(max_length=10, db_column="zipcode")
    phone_number = models.CharField(max_length=30, db_column="phonenumber")
    open_time = models.TimeField(db_column="opentime")
    close_time = models.TimeField(db_column="closetime")
    is_active = models.BooleanField(default=True, db_column="isactive")

    class Meta:
        db_table = "facilities"
        default_permissions = ODS_PERMISSIONS
        ordering = ["facility_id"]
        verbose_name_plural = "facilities"
        constraints = [after("facilities", "close_time", "open_time", nullable=False)]

    def __str__(self):
        return f"{self.facility_id} {self.facility_name}"


class FacilityArea(models.Model):
    area_id = IdField(primary_key=True, max_length=20, db_column="areaid")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, db_column="facilityid", related_name="areas")
    area_name = models.CharField(max_length=100, db_column="areaname")
    area_type = models.CharField(max_length=30, choices=AreaType.choices, db_column="areatype")
    max_capacity = models.PositiveIntegerField(db_column="maxcapacity")
    square_footage = models.DecimalField(max_digits=10, decimal_places=2, db_column="squarefootage")
    is_active = models.BooleanField(default=True, db_column="isactive")

    class Meta:
        db_table = "facilityareas"
        default_permissions = ODS_PERMISSIONS
        ordering = ["area_id"]
        constraints = [
            one_of("facilityareas", "area_type", AreaType),
            positive("facilityareas", "max_capacity"),
            positive("facilityareas", "square_footage"),
        ]

    def __str__(self):
        return f"{self.area_id} {self.area_name} ({self.facility_id})"


class MemberAccess(models.Model):
    access_id = IdField(primary_key=True, max_length=20, db_column="accessid")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, db_column="memberid", related_name="visits", db_index=False
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, db_column="facilityid", related_name="visits", db_index=False
    )
    # No index of its own: nothing looks check-ins up by area but the rare deletion of an area (a scan), and on
    # the chain profile it was the third costliest index to build after a seed (5 s of bench_seed's rebuild).
    area = models.ForeignKey(
        FacilityArea, on_delete=models.PROTECT, db_column="areaid", related_name="visits", db_index=False
    )
    check_in_time = models.DateTimeField(db_column="checkintime", db_index=True)
    check_out_time = models.DateTimeField(null=True, blank=True, db_column="checkouttime")
    access_method = models.CharField(max_length=20, choices=AccessMethod.choices, db_column="accessmethod")
    duration = models.PositiveIntegerField(null=True, blank=True, db_column="duration", help_text="Minutes inside.")

    class Meta:
        db_table = "memberaccess"
        default_permissions = ODS_PERMISSIONS
        ordering = ["access_id"]
        verbose_name = "member access"
        verbose_name_plural = "member access"
        indexes = [
            models.Index(fields=["member", "check_in_time"], name="memberaccess_member_time_idx"),
            models.Index(fields=["facility", "check_in_time"], name="memberaccess_fac_time_idx"),
        ]
        constraints = [
            one_of("memberaccess", "access_method", AccessMethod),
            after("memberaccess", "check_out_time", "check_in_time"),
            at_least("memberaccess", "duration", 0),
        ]

    def __str__(self):
        return f"{self.access_id} {self.member_id} @ {self.facility_id}"
