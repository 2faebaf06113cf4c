"""The 23 ODS tables in load order (parents before children)."""
from classes.models import ClassEnrollment, ClassInstance, ClassSchedule, ClassType
from equipment.models import Equipment, EquipmentMaintenance, EquipmentUsage
from facilities.models import Facility, FacilityArea, MemberAccess
from members.models import Member, MemberMembership, MemberPayment, MembershipType
from staff.models import (
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

_IN_LOAD_ORDER = [
    MembershipType, InstructorCertification, ClassType, Facility, FacilityArea, Equipment, Member, Staff,
    StaffFacility, StaffCertification, ClassSchedule, MemberMembership, MemberPayment, MemberAccess,
    EquipmentMaintenance, EquipmentUsage, ClassInstance, ClassEnrollment, InstructorFeedback, StaffSchedule,
    StaffTimeTracking, StaffPayroll, InstructorPerformance,
]

# ERD table name -> model, parents first.
ODS_MODELS = {model._meta.db_table: model for model in _IN_LOAD_ORDER}
LOAD_ORDER = list(ODS_MODELS)
