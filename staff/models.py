"""Staff, where and when they work, what they are paid, and how instructors are
certified, reviewed and rated."""
from django.db import models
from django.db.models import F, Q

from fitness.core.constraints import after, at_least, between, equals_to_the_cent, one_of, positive
from fitness.core.fields import IdField
from fitness.core.permissions import ODS_PERMISSIONS, STAFF_PAY

from .choices import (
    CertificationStatus,
    Department,
    EmploymentType,
    JobTitle,
    ShiftStatus,
    ShiftType,
    StaffStatus,
)

MONEY = {"max_digits": 10, "decimal_places": 2}
HOURS = {"max_digits": 7, "decimal_places": 2}
SCORE = {"max_digits": 3, "decimal_places": 2}


class Staff(models.Model):
    staff_id = IdField(primary_key=True, max_length=20, db_column="staffid")
    employee_number = models.CharField(max_length=20, unique=True, db_column="employeenumber")
    first_name = models.CharField(max_length=60, db_column="firstname")
    last_name = models.CharField(max_length=60, db_column="lastname")
    email = models.EmailField(max_length=254, db_column="email")
    phone = models.CharField(max_length=30, db_column="phone")
    hire_date = models.DateField(db_column="hiredate")
    job_title = models.CharField(max_length=40, choices=JobTitle.choices, db_column="jobtitle")
    department = models.CharField(max_length=30, choices=Department.choices, db_column="department")
    employment_type = models.CharField(max_length=20, choices=EmploymentType.choices, db_column="employmenttype")
    hourly_rate = models.DecimalField(**MONEY, db_column="hourlyrate")
    status = models.CharField(max_length=20, choices=StaffStatus.choices, db_column="status")
    termination_date = models.DateField(null=True, blank=True, db_column="terminationdate")

    class Meta:
        db_table = "staff"
        default_permissions = ODS_PERMISSIONS
        permissions = [STAFF_PAY]  # also covers the payroll amounts of staffpayroll
        ordering = ["staff_id"]
        verbose_name_plural = "staff"
        constraints = [
            one_of("staff", "job_title", JobTitle),
            one_of("staff", "department", Department),
            one_of("staff", "employment_type", EmploymentType),
            one_of("staff", "status", StaffStatus),
            at_least("staff", "hourly_rate", 0),
            after("staff", "termination_date", "hire_date"),
            # S1: a termination date exactly when the status says Terminated.
            models.CheckConstraint(
                condition=Q(status=StaffStatus.TERMINATED, termination_date__isnull=False)
                | (~Q(status=StaffStatus.TERMINATED) & Q(termination_date__isnull=True)),
                name="staff_terminated_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.staff_id} {self.first_name} {self.last_name}"


class StaffFacility(models.Model):
    assignment_id = IdField(primary_key=True, max_length=20, db_column="assignmentid")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, db_column="staffid", related_name="assignments")
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, db_column="facilityid", related_name="staff_assignments"
    )
    is_primary = models.BooleanField(default=False, db_column="isprimary")
    start_date = models.DateField(db_column="startdate")
    end_date = models.DateField(null=True, blank=True, db_column="enddate")

    class Meta:
        db_table = "stafffacilities"
        default_permissions = ODS_PERMISSIONS
        ordering = ["assignment_id"]
        verbose_name = "staff facility assignment"
        constraints = [after("stafffacilities", "end_date", "start_date", strict=False)]

    def __str__(self):
        return f"{self.assignment_id} {self.staff_id} @ {self.facility_id}"


class StaffSchedule(models.Model):
    schedule_id = IdField(primary_key=True, max_length=20, db_column="scheduleid")
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, db_column="staffid", related_name="shifts", db_index=False
    )
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, db_column="facilityid", related_name="staff_shifts"
    )
    area = models.ForeignKey(
        "facilities.FacilityArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_column="areaid",
        related_name="staff_shifts",
    )
    schedule_date = models.DateField(db_column="scheduledate", db_index=True)
    start_time = models.TimeField(db_column="starttime")
    end_time = models.TimeField(db_column="endtime")
    scheduled_hours = models.DecimalField(**HOURS, db_column="scheduledhours")
    shift_type = models.CharField(max_length=20, choices=ShiftType.choices, db_column="shifttype")
    status = models.CharField(max_length=20, choices=ShiftStatus.choices, db_column="status")

    class Meta:
        db_table = "staffschedules"
        default_permissions = ODS_PERMISSIONS
        ordering = ["schedule_id"]
        verbose_name = "staff shift"
        indexes = [models.Index(fields=["staff", "schedule_date"], name="staffsched_staff_date_idx")]
        constraints = [
            one_of("staffschedules", "shift_type", ShiftType),
            one_of("staffschedules", "status", ShiftStatus),
            after("staffschedules", "end_time", "start_time", nullable=False),
            positive("staffschedules", "scheduled_hours"),
        ]

    def __str__(self):
        return f"{self.schedule_id} {self.staff_id} {self.schedule_date}"


class StaffTimeTracking(models.Model):
    time_tracking_id = IdField(primary_key=True, max_length=20, db_column="timetrackingid")
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, db_column="staffid", related_name="time_entries", db_index=False
    )
    schedule = models.ForeignKey(
        StaffSchedule, on_delete=models.PROTECT, db_column="scheduleid", related_name="time_entries"
    )
    actual_start_time = models.DateTimeField(db_column="actualstarttime")
    actual_end_time = models.DateTimeField(null=True, blank=True, db_column="actualendtime")
    actual_hours = models.DecimalField(**HOURS, null=True, blank=True, db_column="actualhours")
    overtime_hours = models.DecimalField(**HOURS, default=0, db_column="overtimehours")
    break_minutes = models.PositiveIntegerField(default=0, db_column="breakminutes")
    notes = models.TextField(null=True, blank=True, db_column="notes")

    class Meta:
        db_table = "stafftimetracking"
        default_permissions = ODS_PERMISSIONS
        ordering = ["time_tracking_id"]
        verbose_name = "staff time entry"
        verbose_name_plural = "staff time tracking"
        indexes = [models.Index(fields=["staff", "actual_start_time"], name="stafftime_staff_start_idx")]
        constraints = [
            after("stafftimetracking", "actual_end_time", "actual_start_time"),
            at_least("stafftimetracking", "actual_hours", 0),
            at_least("stafftimetracking", "overtime_hours", 0),
            at_least("stafftimetracking", "break_minutes", 0),
        ]

    def __str__(self):
        return f"{self.time_tracking_id} {self.staff_id} {self.actual_start_time:%Y-%m-%d}"


class StaffPayroll(models.Model):
    payroll_id = IdField(primary_key=True, max_length=20, db_column="payrollid")
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, db_column="staffid", related_name="payrolls", db_index=False
    )
    pay_period_start = models.DateField(db_column="payperiodstart")
    pay_period_end = models.DateField(db_column="payperiodend")
    regular_hours = models.DecimalField(**HOURS, db_column="regularhours")
    overtime_hours = models.DecimalField(**HOURS, default=0, db_column="overtimehours")
    regular_pay = models.DecimalField(**MONEY, db_column="regularpay")
    overtime_pay = models.DecimalField(**MONEY, default=0, db_column="overtimepay")
    bonuses = models.DecimalField(**MONEY, default=0, db_column="bonuses")
    deductions = models.DecimalField(**MONEY, default=0, db_column="deductions")
    gross_pay = models.DecimalField(**MONEY, db_column="grosspay")
    net_pay = models.DecimalField(**MONEY, db_column="netpay")
    pay_date = models.DateField(db_column="paydate")

    class Meta:
        db_table = "staffpayroll"
        default_permissions = ODS_PERMISSIONS
        ordering = ["payroll_id"]
        verbose_name = "staff payroll"
        verbose_name_plural = "staff payroll"
        indexes = [
            models.Index(fields=["staff", "pay_period_start"], name="staffpay_staff_period_idx"),
            models.Index(fields=["pay_period_start"], name="staffpay_period_idx"),
        ]
        constraints = [
            after("staffpayroll", "pay_period_end", "pay_period_start", strict=False, nullable=False),
            after("staffpayroll", "pay_date", "pay_period_end", nullable=False),
            *[
                at_least("staffpayroll", field, 0)
                for field in ("regular_hours", "overtime_hours", "regular_pay", "overtime_pay", "bonuses", "deductions")
            ],
            # S5 totals, to the cent (within half a cent: SQLite sums DECIMAL as REAL).
            equals_to_the_cent(
                "gross_pay", F("regular_pay") + F("overtime_pay") + F("bonuses"), name="staffpayroll_gross_is_sum"
            ),
            equals_to_the_cent(
                "net_pay", F("gross_pay") - F("deductions"), name="staffpayroll_net_is_gross_less_deductions"
            ),
        ]

    def __str__(self):
        return f"{self.payroll_id} {self.staff_id} {self.pay_period_start}..{self.pay_period_end}"


class InstructorCertification(models.Model):
    certification_id = IdField(primary_key=True, max_length=20, db_column="certificationid")
    certification_name = models.CharField(max_length=120, db_column="certificationname")
    issuing_organization = models.CharField(max_length=120, db_column="issuingorganization")
    description = models.TextField(null=True, blank=True, db_column="description")
    validity_months = models.PositiveIntegerField(db_column="validitymonths")
    is_required = models.BooleanField(default=False, db_column="isrequired")

    class Meta:
        db_table = "instructorcertifications"
        default_permissions = ODS_PERMISSIONS
        ordering = ["certification_id"]
        constraints = [positive("instructorcertifications", "validity_months")]

    def __str__(self):
        return f"{self.certification_id} {self.certification_name}"


class StaffCertification(models.Model):
    staff_certification_id = IdField(primary_key=True, max_length=20, db_column="staffcertificationid")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, db_column="staffid", related_name="certifications")
    certification = models.ForeignKey(
        InstructorCertification, on_delete=models.PROTECT, db_column="certificationid", related_name="holders"
    )
    certification_date = models.DateField(db_column="certificationdate")
    expiry_date = models.DateField(db_column="expirydate")
    certification_number = models.CharField(max_length=40, db_column="certificationnumber")
    status = models.CharField(max_length=20, choices=CertificationStatus.choices, db_column="status")

    class Meta:
        db_table = "staffcertifications"
        default_permissions = ODS_PERMISSIONS
        ordering = ["staff_certification_id"]
        constraints = [
            one_of("staffcertifications", "status", CertificationStatus),
            after("staffcertifications", "expiry_date", "certification_date", nullable=False),
        ]

    def __str__(self):
        return f"{self.staff_certification_id} {self.staff_id} {self.certification_id}"


class InstructorPerformance(models.Model):
    performance_id = IdField(primary_key=True, max_length=20, db_column="performanceid")
    instructor = models.ForeignKey(
        Staff, on_delete=models.PROTECT, db_column="instructorid", related_name="performance_reviews"
    )
    evaluation_date = models.DateField(db_column="evaluationdate")
    evaluator = models.ForeignKey(
        Staff, on_delete=models.PROTECT, db_column="evaluatorid", related_name="reviews_given"
    )
    classes_per_month = models.PositiveIntegerField(db_column="classespermonth")
    average_attendance = models.DecimalField(max_digits=6, decimal_places=2, db_column="averageattendance")
    member_retention_rate = models.DecimalField(
        max_digits=5, decimal_places=2, db_column="memberretentionrate", help_text="Percent, 0-100."
    )
    member_satisfaction_score = models.DecimalField(**SCORE, null=True, blank=True, db_column="membersatisfactionscore")
    professionalism_score = models.DecimalField(**SCORE, db_column="professionalismscore")
    communication_score = models.DecimalField(**SCORE, db_column="communicationscore")
    overall_rating = models.DecimalField(**SCORE, db_column="overallrating")
    comments = models.TextField(null=True, blank=True, db_column="comments")
    goals_for_next_period = models.TextField(null=True, blank=True, db_column="goalsfornextperiod")

    class Meta:
        db_table = "instructorperformance"
        default_permissions = ODS_PERMISSIONS
        ordering = ["performance_id"]
        verbose_name_plural = "instructor performance reviews"
        constraints = [
            at_least("instructorperformance", "average_attendance", 0),
            between("instructorperformance", "member_retention_rate", 0, 100),
            between("instructorperformance", "member_satisfaction_score", 1, 5),
            between("instructorperformance", "professionalism_score", 1, 5),
            between("instructorperformance", "communication_score", 1, 5),
            between("instructorperformance", "overall_rating", 1, 5),
            models.CheckConstraint(
                condition=~Q(evaluator=F("instructor")), name="instructorperformance_not_self_reviewed"
            ),
        ]

    def __str__(self):
        return f"{self.performance_id} {self.instructor_id} {self.evaluation_date}"


class InstructorFeedback(models.Model):
    feedback_id = IdField(primary_key=True, max_length=20, db_column="feedbackid")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, db_column="memberid", related_name="instructor_feedback"
    )
    instructor = models.ForeignKey(
        Staff, on_delete=models.PROTECT, db_column="instructorid", related_name="feedback_received"
    )
    class_instance = models.ForeignKey(
        "classes.ClassInstance", on_delete=models.PROTECT, db_column="classinstanceid", related_name="feedback"
    )
    feedback_date = models.DateField(db_column="feedbackdate")
    teaching_quality = models.PositiveSmallIntegerField(db_column="teachingquality")
    communication = models.PositiveSmallIntegerField(db_column="communication")
    motivation = models.PositiveSmallIntegerField(db_column="motivation")
    overall_rating = models.PositiveSmallIntegerField(db_column="overallrating")
    comments = models.TextField(null=True, blank=True, db_column="comments")
    is_anonymous = models.BooleanField(default=False, db_column="isanonymous")

    class Meta:
        db_table = "instructorfeedback"
        default_permissions = ODS_PERMISSIONS
        ordering = ["feedback_id"]
        verbose_name_plural = "instructor feedback"
        constraints = [
            between("instructorfeedback", rating, 1, 5)
            for rating in ("teaching_quality", "communication", "motivation", "overall_rating")
        ]

    def __str__(self):
        return f"{self.feedback_id} {self.member_id} on {self.instructor_id}"
