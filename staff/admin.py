"""Admin for staff, their facility assignments, shifts, time entries, payroll,
certifications, and instructor reviews and feedback."""
from django.contrib import admin

from fitness.admin_support import DataMonthFilter, OdsModelAdmin, OdsTabularInline, rows_link

from .choices import CertificationStatus
from .models import (
    InstructorCertification,
    InstructorFeedback,
    InstructorPerformance,
    Staff,
    StaffCertification,
    StaffFacility,
    StaffPayroll,
    StaffSchedule,
    StaffTimeTracking,
)
from .resources import (
    InstructorCertificationResource,
    InstructorFeedbackResource,
    InstructorPerformanceResource,
    StaffCertificationResource,
    StaffFacilityResource,
    StaffPayrollResource,
    StaffResource,
    StaffScheduleResource,
    StaffTimeTrackingResource,
)


class StaffFacilityInline(OdsTabularInline):
    model = StaffFacility
    fields = ("assignment_id", "facility", "is_primary", "start_date", "end_date")
    extra = 0
    show_change_link = True


class StaffCertificationInline(OdsTabularInline):
    """The certifications held now (Active); expired ones, a career's worth of renewals, are one link away
    (`all_certifications`), as a member's older periods and payments are."""

    model = StaffCertification
    fields = ("staff_certification_id", "certification", "certification_date", "expiry_date",
              "certification_number", "status")
    extra = 0
    show_change_link = True
    verbose_name_plural = "current certifications"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=CertificationStatus.ACTIVE)


@admin.register(Staff)
class StaffAdmin(OdsModelAdmin):
    resource_classes = [StaffResource]
    list_display = (
        "staff_id", "employee_number", "first_name", "last_name", "job_title", "department",
        "employment_type", "hourly_rate", "status", "hire_date",
    )
    list_filter = ("status", "job_title", "department", "employment_type")
    search_fields = ("staff_id", "employee_number", "last_name", "email")
    ordering = ("staff_id",)
    inlines = [StaffFacilityInline, StaffCertificationInline]
    readonly_fields = ("all_certifications",)
    linked_rows = {"all_certifications": StaffCertification}

    @admin.display(description="certifications")
    def all_certifications(self, staff):
        return rows_link(StaffCertification, "staff", staff, "certification")


@admin.register(StaffFacility)
class StaffFacilityAdmin(OdsModelAdmin):
    resource_classes = [StaffFacilityResource]
    list_display = ("assignment_id", "staff_id", "facility", "is_primary", "start_date", "end_date")
    list_filter = ("is_primary", "facility")
    list_select_related = ("facility",)
    search_fields = ("assignment_id__exact", "staff__staff_id__exact")
    raw_id_fields = ("staff",)
    ordering = ("assignment_id",)


@admin.register(StaffSchedule)
class StaffScheduleAdmin(OdsModelAdmin):
    resource_classes = [StaffScheduleResource]
    list_display = (
        "schedule_id", "staff_id", "facility_id", "area_id", "schedule_date", "start_time", "end_time",
        "scheduled_hours", "shift_type", "status",
    )
    list_filter = ("status", "shift_type", ("schedule_date", DataMonthFilter), "facility")
    search_fields = ("schedule_id__exact", "staff__staff_id__exact")
    search_help_text = "Exact shift id or staff id."
    raw_id_fields = ("staff", "area")
    ordering = ("-schedule_id",)


@admin.register(StaffTimeTracking)
class StaffTimeTrackingAdmin(OdsModelAdmin):
    resource_classes = [StaffTimeTrackingResource]
    list_display = (
        "time_tracking_id", "staff_id", "schedule_id", "actual_start_time", "actual_end_time", "actual_hours",
        "overtime_hours", "break_minutes",
    )
    list_filter = (("actual_start_time", DataMonthFilter),)
    search_fields = ("time_tracking_id__exact", "staff__staff_id__exact", "schedule__schedule_id__exact")
    search_help_text = "Exact time entry id, staff id or shift id."
    raw_id_fields = ("staff", "schedule")
    ordering = ("-time_tracking_id",)


@admin.register(StaffPayroll)
class StaffPayrollAdmin(OdsModelAdmin):
    resource_classes = [StaffPayrollResource]
    list_display = (
        "payroll_id", "staff_id", "pay_period_start", "pay_period_end", "regular_hours", "overtime_hours",
        "gross_pay", "deductions", "net_pay", "pay_date",
    )
    list_filter = (("pay_period_start", DataMonthFilter),)
    search_fields = ("payroll_id__exact", "staff__staff_id__exact")
    search_help_text = "Exact payroll id or staff id."
    raw_id_fields = ("staff",)
    ordering = ("-payroll_id",)


@admin.register(InstructorCertification)
class InstructorCertificationAdmin(OdsModelAdmin):
    resource_classes = [InstructorCertificationResource]
    list_display = (
        "certification_id", "certification_name", "issuing_organization", "validity_months", "is_required",
    )
    list_filter = ("is_required",)
    search_fields = ("certification_id", "certification_name", "issuing_organization")
    ordering = ("certification_id",)


@admin.register(StaffCertification)
class StaffCertificationAdmin(OdsModelAdmin):
    resource_classes = [StaffCertificationResource]
    list_display = (
        "staff_certification_id", "staff_id", "certification", "certification_date", "expiry_date",
        "certification_number", "status",
    )
    list_filter = ("status", "certification")
    list_select_related = ("certification",)
    search_fields = ("staff_certification_id__exact", "staff__staff_id__exact", "certification_number__exact")
    raw_id_fields = ("staff",)
    ordering = ("staff_certification_id",)


@admin.register(InstructorPerformance)
class InstructorPerformanceAdmin(OdsModelAdmin):
    resource_classes = [InstructorPerformanceResource]
    list_display = (
        "performance_id", "instructor_id", "evaluation_date", "evaluator_id", "classes_per_month",
        "average_attendance", "member_retention_rate", "overall_rating",
    )
    list_filter = (("evaluation_date", DataMonthFilter),)
    search_fields = ("performance_id__exact", "instructor__staff_id__exact", "evaluator__staff_id__exact")
    search_help_text = "Exact review id, instructor or evaluator staff id."
    raw_id_fields = ("instructor", "evaluator")
    ordering = ("-performance_id",)


@admin.register(InstructorFeedback)
class InstructorFeedbackAdmin(OdsModelAdmin):
    resource_classes = [InstructorFeedbackResource]
    list_display = (
        "feedback_id", "member_id", "instructor_id", "class_instance_id", "feedback_date", "teaching_quality",
        "communication", "motivation", "overall_rating", "is_anonymous",
    )
    list_filter = ("overall_rating", "is_anonymous", ("feedback_date", DataMonthFilter))
    search_fields = (
        "feedback_id__exact", "member__member_id__exact", "instructor__staff_id__exact",
        "class_instance__instance_id__exact",
    )
    search_help_text = "Exact feedback id, member id, instructor staff id or class instance id."
    raw_id_fields = ("member", "instructor", "class_instance")
    ordering = ("-feedback_id",)
