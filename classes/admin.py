"""Admin for class types, weekly schedules, dated instances and enrollments."""
from django.contrib import admin

from fitness.admin_support import DataMonthFilter, OdsModelAdmin, OdsTabularInline

from .models import ClassEnrollment, ClassInstance, ClassSchedule, ClassType
from .resources import ClassEnrollmentResource, ClassInstanceResource, ClassScheduleResource, ClassTypeResource


class ClassInstanceInline(OdsTabularInline):
    model = ClassInstance
    fields = ("instance_id", "class_date", "status", "actual_instructor", "actual_capacity", "cancellation_reason")
    raw_id_fields = ("actual_instructor",)
    extra = 0
    show_change_link = True
    ordering = ("-class_date",)


@admin.register(ClassType)
class ClassTypeAdmin(OdsModelAdmin):
    resource_classes = [ClassTypeResource]
    list_display = (
        "class_type_id", "class_name", "category", "duration_minutes", "max_participants",
        "required_certifications", "is_active",
    )
    list_filter = ("category", "is_active")
    search_fields = ("class_type_id", "class_name")
    ordering = ("class_type_id",)


@admin.register(ClassSchedule)
class ClassScheduleAdmin(OdsModelAdmin):
    resource_classes = [ClassScheduleResource]
    list_display = (
        "schedule_id", "class_type", "facility", "area_id", "instructor_id", "day_of_week", "start_time",
        "end_time", "max_capacity", "price", "effective_date", "expiry_date", "is_active",
    )
    list_filter = ("is_active", "day_of_week", "class_type", "facility")
    list_select_related = ("class_type", "facility")
    search_fields = ("schedule_id__exact", "instructor__staff_id__exact")
    search_help_text = "Exact schedule id or instructor staff id."
    raw_id_fields = ("instructor", "area")
    ordering = ("schedule_id",)
    inlines = [ClassInstanceInline]


@admin.register(ClassInstance)
class ClassInstanceAdmin(OdsModelAdmin):
    resource_classes = [ClassInstanceResource]
    list_display = (
        "instance_id", "schedule_id", "class_date", "actual_start_time", "actual_end_time",
        "actual_instructor_id", "actual_capacity", "status",
    )
    list_filter = ("status", ("class_date", DataMonthFilter))
    search_fields = ("instance_id__exact", "schedule__schedule_id__exact")
    search_help_text = "Exact instance id or schedule id."
    raw_id_fields = ("schedule", "actual_instructor")
    ordering = ("-instance_id",)


@admin.register(ClassEnrollment)
class ClassEnrollmentAdmin(OdsModelAdmin):
    resource_classes = [ClassEnrollmentResource]
    list_display = (
        "enrollment_id", "member_id", "instance_id", "enrollment_date", "enrollment_status",
        "payment_amount", "check_in_time", "check_out_time",
    )
    list_filter = ("enrollment_status",)
    search_fields = ("enrollment_id__exact", "member__member_id__exact", "instance__instance_id__exact")
    search_help_text = "Exact enrollment id, member id or class instance id."
    raw_id_fields = ("member", "instance")
    ordering = ("-enrollment_id",)
