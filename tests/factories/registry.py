"""The 23 factories under test, one per ERD table, and helpers to compare rows."""
from classes.factories import ClassEnrollmentFactory, ClassInstanceFactory, ClassScheduleFactory, ClassTypeFactory
from equipment.factories import EquipmentFactory, EquipmentMaintenanceFactory, EquipmentUsageFactory
from facilities.factories import FacilityAreaFactory, FacilityFactory, MemberAccessFactory
from members.factories import MemberFactory, MemberMembershipFactory, MemberPaymentFactory, MembershipTypeFactory
from staff.factories import (
    InstructorCertificationFactory,
    InstructorFeedbackFactory,
    InstructorPerformanceFactory,
    StaffCertificationFactory,
    StaffFacilityFactory,
    StaffFactory,
    StaffPayrollFactory,
    StaffScheduleFactory,
    StaffTimeTrackingFactory,
)

ALL_FACTORIES = [
    MemberFactory, MembershipTypeFactory, MemberMembershipFactory, MemberPaymentFactory,
    FacilityFactory, FacilityAreaFactory, MemberAccessFactory,
    ClassTypeFactory, ClassScheduleFactory, ClassInstanceFactory, ClassEnrollmentFactory,
    EquipmentFactory, EquipmentUsageFactory, EquipmentMaintenanceFactory,
    StaffFactory, StaffFacilityFactory, StaffScheduleFactory, StaffTimeTrackingFactory, StaffPayrollFactory,
    InstructorCertificationFactory, StaffCertificationFactory, InstructorPerformanceFactory, InstructorFeedbackFactory,
]
# Reference data: rows come from the catalog in order, whatever the seed.
CATALOG_FACTORIES = {MembershipTypeFactory, ClassTypeFactory, InstructorCertificationFactory}


def reset_sequences(factories):
    for factory_class in factories:
        factory_class.reset_sequence(0)


def column_values(instance) -> dict:
    """Every column of a model instance (foreign keys as their ids)."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def factory_id(factory_class) -> str:
    return factory_class.__name__
