"""CSV import/export resources:
Class types, schedules, instances and enrollments.

Each resource is built from the ODS CSV format (fitness.csvio): header = ERD
column names in ERD order, foreign keys by id."""
from fitness.erd_resources import erd_resource

from .models import (
    ClassType,
    ClassSchedule,
    ClassInstance,
    ClassEnrollment,
)


ClassTypeResource = erd_resource(ClassType)
ClassScheduleResource = erd_resource(ClassSchedule)
ClassInstanceResource = erd_resource(ClassInstance)
ClassEnrollmentResource = erd_resource(ClassEnrollment)
