"""Class types, weekly schedules, dated instances, and member enrollments."""
from django.db import models

from fitness.core.constraints import after, at_least, between, one_of, positive
from fitness.core.fields import IdField
from fitness.core.permissions import ODS_PERMISSIONS

from .choices import ClassCategory, EnrollmentStatus, InstanceStatus


class ClassType(models.Model):
    class_type_id = IdField(primary_key=True, max_length=20, db_column="classtypeid")
    class_name = models.CharField(max_length=100, db_column="classname")
    category = models.CharField(max_length=30, choices=ClassCategory.choices, db_column="category")
    description = models.TextField(null=True, blank=True, db_column="description")
    duration_minutes = models.PositiveIntegerField(db_column="durationminutes")
    max_participants = models.PositiveIntegerField(db_column="maxparticipants")
    required_certifications = models.CharField(
        max_length=200,
        null=True,
        blank=True,
        db_column="requiredcertifications",
        help_text="Comma-separated certification ids, e.g. CERT001,CERT004.",
    )
    is_active = models.BooleanField(default=True, db_column="isactive")

    class Meta:
        db_table = "classtypes"
        default_permissions = ODS_PERMISSIONS
        ordering = ["class_type_id"]
        constraints = [
            one_of("classtypes", "category", ClassCategory),
            positive("classtypes", "duration_minutes"),
            positive("classtypes", "max_participants"),
        ]

    def __str__(self):
        return f"{self.class_type_id} {self.class_name}"


class ClassSchedule(models.Model):
    schedule_id = IdField(primary_key=True, max_length=20, db_column="scheduleid")
    class_type = models.ForeignKey(
        ClassType, on_delete=models.PROTECT, db_column="classtypeid", related_name="schedules"
    )
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, db_column="facilityid", related_name="class_schedules"
    )
    area = models.ForeignKey(
        "facilities.FacilityArea", on_delete=models.PROTECT, db_column="areaid", related_name="class_schedules"
    )
    instructor = models.ForeignKey(
        "staff.Staff", on_delete=models.PROTECT, db_column="instructorid", related_name="class_schedules"
    )
    day_of_week = models.PositiveSmallIntegerField(db_column="dayofweek", help_text="1 = Monday ... 7 = Sunday.")
    start_time = models.TimeField(db_column="starttime")
    end_time = models.TimeField(db_column="endtime")
    max_capacity = models.PositiveIntegerField(db_column="maxcapacity")
    price = models.DecimalField(max_digits=10, decimal_places=2, db_column="price")
    effective_date = models.DateField(db_column="effectivedate")
    expiry_date = models.DateField(null=True, blank=True, db_column="expirydate")
    is_active = models.BooleanField(default=True, db_column="isactive")

    class Meta:
        db_table = "classschedules"
        default_permissions = ODS_PERMISSIONS
        ordering = ["schedule_id"]
        constraints = [
            between("classschedules", "day_of_week", 1, 7),
            after("classschedules", "end_time", "start_time", nullable=False),
            positive("classschedules", "max_capacity"),
            at_least("classschedules", "price", 0),
            after("classschedules", "expiry_date", "effective_date", strict=False),
        ]

    def __str__(self):
        return f"{self.schedule_id} {self.class_type_id} day {self.day_of_week} {self.start_time:%H:%M}"


class ClassInstance(models.Model):
    instance_id = IdField(primary_key=True, max_length=20, db_column="instanceid")
    schedule = models.ForeignKey(
        ClassSchedule, on_delete=models.PROTECT, db_column="scheduleid", related_name="instances", db_index=False
    )
    class_date = models.DateField(db_column="classdate", db_index=True)
    actual_start_time = models.DateTimeField(null=True, blank=True, db_column="actualstarttime")
    actual_end_time = models.DateTimeField(null=True, blank=True, db_column="actualendtime")
    actual_instructor = models.ForeignKey(
        "staff.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_column="actualinstructorid",
        related_name="taught_instances",
    )
    actual_capacity = models.PositiveIntegerField(default=0, db_column="actualcapacity")
    status = models.CharField(max_length=20, choices=InstanceStatus.choices, db_column="status")
    cancellation_reason = models.TextField(null=True, blank=True, db_column="cancellationreason")

    class Meta:
        db_table = "classinstances"
        default_permissions = ODS_PERMISSIONS
        ordering = ["instance_id"]
        indexes = [models.Index(fields=["schedule", "class_date"], name="classinst_sched_date_idx")]
        constraints = [
            one_of("classinstances", "status", InstanceStatus),
            after("classinstances", "actual_end_time", "actual_start_time"),
            at_least("classinstances", "actual_capacity", 0),
        ]

    def __str__(self):
        return f"{self.instance_id} {self.schedule_id} {self.class_date}"


class ClassEnrollment(models.Model):
    enrollment_id = IdField(primary_key=True, max_length=20, db_column="enrollmentid")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, db_column="memberid", related_name="enrollments"
    )
    instance = models.ForeignKey(
        ClassInstance, on_delete=models.PROTECT, db_column="instanceid", related_name="enrollments", db_index=False
    )
    enrollment_date = models.DateTimeField(db_column="enrollmentdate")
    enrollment_status = models.CharField(max_length=20, choices=EnrollmentStatus.choices, db_column="enrollmentstatus")
    payment_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0, db_column="paymentamount")
    check_in_time = models.DateTimeField(null=True, blank=True, db_column="checkintime")
    check_out_time = models.DateTimeField(null=True, blank=True, db_column="checkouttime")

    class Meta:
        db_table = "classenrollments"
        default_permissions = ODS_PERMISSIONS
        ordering = ["enrollment_id"]
        indexes = [models.Index(fields=["instance", "enrollment_status"], name="classenr_inst_status_idx")]
        constraints = [
            one_of("classenrollments", "enrollment_status", EnrollmentStatus),
            at_least("classenrollments", "payment_amount", 0),
            after("classenrollments", "check_out_time", "check_in_time"),
        ]

    def __str__(self):
        return f"{self.enrollment_id} {self.member_id} in {self.instance_id}"
