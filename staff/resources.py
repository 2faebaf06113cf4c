"""CSV import/export resources:
Staff, assignments, shifts, time, payroll, certifications and instructor reviews.

Each resource is built from the ODS CSV format (fitness.csvio): header = ERD
column names in ERD order, foreign keys by id."""
from fitness.erd_resources import erd_resource

from .models import (
    Staff,
    StaffFacility,
    StaffSchedule,
    StaffTimeTracking,
    StaffPayroll,
    InstructorCertification,
    StaffCertification,
    InstructorPerformance,
    InstructorFeedback,
)


StaffResource = erd_resource(Staff)
StaffFacilityResource = erd_resource(StaffFacility)
StaffScheduleResource = erd_resource(StaffSchedule)
StaffTimeTrackingResource = erd_resource(StaffTimeTracking)
StaffPayrollResource = erd_resource(StaffPayroll)
InstructorCertificationResource = erd_resource(InstructorCertification)
StaffCertificationResource = erd_resource(StaffCertification)
InstructorPerformanceResource = erd_resource(InstructorPerformance)
InstructorFeedbackResource = erd_resource(InstructorFeedback)
