"""A small hand-made ODS where every warehouse figure is known by hand.

Local times are America/New_York. 2024-03-10 is the DST switch, so visits on
both sides of it check the UTC -> local conversion, and one visit runs past
midnight UTC (20:30 local = 01:30 UTC next day) but is filed under its local
date.

Members (join date; periods [start, end] inclusive):
  MEM1  2024-01-10  MT001 01-10..02-10, MT001 02-10..03-10, MT002 03-10..04-10
  MEM2  2024-01-20  MT001 01-20..02-15 (cancelled early)
  MEM3  2024-02-05  MT002 02-05..03-05, MT002 03-05..04-05
Visits (local):
  V1 MEM1 FAC001 Mon 2024-03-04 07:10-08:20   V2 MEM2 FAC001 Mon 2024-02-12 07:30-07:50
  V3 MEM3 FAC001 Mon 2024-03-04 08:05-09:30   V4 MEM1 FAC001 Mon 2024-03-11 07:00-07:45
  V5 MEM3 FAC002 Tue 2024-03-05 20:30-21:40   V6 MEM3 FAC002 Tue 2024-03-12 18:10-18:40
The expected figures are spelled out in the tests next to each assertion.
"""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from classes.models import ClassEnrollment, ClassInstance, ClassSchedule, ClassType
from equipment.models import Equipment, EquipmentMaintenance, EquipmentUsage
from facilities.models import Facility, FacilityArea, MemberAccess
from members.models import Member, MemberMembership, MemberPayment, MembershipType
from staff.models import (
    InstructorCertification,
    InstructorFeedback,
    Staff,
    StaffCertification,
    StaffFacility,
    StaffPayroll,
    StaffSchedule,
    StaffTimeTracking,
)

NY = ZoneInfo("America/New_York")
D = dt.date
T = dt.time


def local(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY)


def money(text):
    return Decimal(text)


def add_membership_types():
    MembershipType.objects.create(membership_type_id="MT001", type_name="Basic", monthly_fee=money("30.00"),
                                  registration_fee=money("10.00"), duration=1)
    MembershipType.objects.create(membership_type_id="MT002", type_name="Premium", monthly_fee=money("60.00"),
                                  registration_fee=money("0.00"), duration=1)


def add_facilities():
    for fid, name in (("FAC001", "North"), ("FAC002", "South")):
        Facility.objects.create(facility_id=fid, facility_name=name, address="1 Main St", city="Springfield",
                                state="IL", zip_code="62701", phone_number="555-0100", open_time=T(6),
                                close_time=T(22))
    FacilityArea.objects.create(area_id="AR001", facility_id="FAC001", area_name="Cardio", area_type="Cardio",
                                max_capacity=10, square_footage=money("1000.00"))
    FacilityArea.objects.create(area_id="AR002", facility_id="FAC001", area_name="Studio", area_type="Studio",
                                max_capacity=10, square_footage=money("800.00"))
    FacilityArea.objects.create(area_id="AR003", facility_id="FAC002", area_name="Cardio", area_type="Cardio",
                                max_capacity=5, square_footage=money("500.00"))


def add_member(member_id, join, status="Active"):
    return Member.objects.create(
        member_id=member_id, first_name=member_id.title(), last_name="Tester", email=f"{member_id}@example.com",
        phone="555-0101", date_of_birth=D(1990, 5, 17), gender="F", address="2 Oak St", city="Springfield",
        state="IL", zip_code="62701", join_date=join, member_status=status, last_modified=local(join, 9),
    )


def add_period(membership_id, member_id, type_id, start, end, status="Active"):
    MemberMembership.objects.create(membership_id=membership_id, member_id=member_id, membership_type_id=type_id,
                                    start_date=start, end_date=end, status=status)


def add_members():
    add_member("MEM1", D(2024, 1, 10))
    add_member("MEM2", D(2024, 1, 20), status="Cancelled")
    add_member("MEM3", D(2024, 2, 5))
    add_period("MS1", "MEM1", "MT001", D(2024, 1, 10), D(2024, 2, 10), "Expired")
    add_period("MS2", "MEM1", "MT001", D(2024, 2, 10), D(2024, 3, 10), "Expired")
    add_period("MS3", "MEM1", "MT002", D(2024, 3, 10), D(2024, 4, 10))
    add_period("MS4", "MEM2", "MT001", D(2024, 1, 20), D(2024, 2, 15), "Cancelled")
    add_period("MS5", "MEM3", "MT002", D(2024, 2, 5), D(2024, 3, 5), "Expired")
    add_period("MS6", "MEM3", "MT002", D(2024, 3, 5), D(2024, 4, 5))


def add_payment(payment_id, member_id, day, amount, kind="Monthly Dues", status="Completed"):
    MemberPayment.objects.create(payment_id=payment_id, member_id=member_id, payment_date=day, amount=money(amount),
                                 payment_type=kind, payment_method="Credit Card", status=status)


def add_payments():
    add_payment("PAY1", "MEM1", D(2024, 1, 10), "10.00", kind="Registration")
    add_payment("PAY2", "MEM1", D(2024, 1, 10), "30.00")
    add_payment("PAY3", "MEM1", D(2024, 2, 10), "30.00", status="Failed")
    add_payment("PAY4", "MEM1", D(2024, 2, 12), "30.00")
    add_payment("PAY5", "MEM1", D(2024, 3, 10), "60.00")
    add_payment("PAY6", "MEM2", D(2024, 1, 20), "30.00")
    add_payment("PAY7", "MEM2", D(2024, 1, 20), "10.00", kind="Registration")
    add_payment("PAY8", "MEM3", D(2024, 2, 5), "60.00")
    add_payment("PAY9", "MEM3", D(2024, 3, 5), "60.00")


def add_visit(access_id, member_id, facility_id, area_id, day, start, end):
    check_in, check_out = local(day, *start), local(day, *end)
    MemberAccess.objects.create(access_id=access_id, member_id=member_id, facility_id=facility_id, area_id=area_id,
                                check_in_time=check_in, check_out_time=check_out, access_method="Key Card",
                                duration=int((check_out - check_in).total_seconds() // 60))


def add_visits():
    add_visit("V1", "MEM1", "FAC001", "AR001", D(2024, 3, 4), (7, 10), (8, 20))
    add_visit("V2", "MEM2", "FAC001", "AR001", D(2024, 2, 12), (7, 30), (7, 50))
    add_visit("V3", "MEM3", "FAC001", "AR002", D(2024, 3, 4), (8, 5), (9, 30))
    add_visit("V4", "MEM1", "FAC001", "AR001", D(2024, 3, 11), (7, 0), (7, 45))
    add_visit("V5", "MEM3", "FAC002", "AR003", D(2024, 3, 5), (20, 30), (21, 40))
    add_visit("V6", "MEM3", "FAC002", "AR003", D(2024, 3, 12), (18, 10), (18, 40))


def add_staff(staff_id, title, department, rate):
    Staff.objects.create(staff_id=staff_id, employee_number=f"E{staff_id}", first_name=staff_id.title(),
                         last_name="Worker", email=f"{staff_id}@example.com", phone="555-0102",
                         hire_date=D(2022, 1, 3), job_title=title, department=department,
                         employment_type="Full-Time", hourly_rate=money(rate), status="Active")
    StaffFacility.objects.create(assignment_id=f"SA{staff_id}", staff_id=staff_id, facility_id="FAC001",
                                 is_primary=True, start_date=D(2022, 1, 3))


def add_staff_and_classes():
    add_staff("STF1", "Group Fitness Instructor", "Fitness", "25.00")
    add_staff("STF2", "Front Desk", "Front Office", "15.00")
    InstructorCertification.objects.create(certification_id="CERT001", certification_name="Yoga Alliance RYT",
                                           issuing_organization="Yoga Alliance", validity_months=24)
    StaffCertification.objects.create(staff_certification_id="SC1", staff_id="STF1", certification_id="CERT001",
                                      certification_date=D(2022, 4, 1), expiry_date=D(2024, 4, 1),
                                      certification_number="RYT-1", status="Active")
    ClassType.objects.create(class_type_id="CT001", class_name="Yoga", category="Mind & Body", duration_minutes=60,
                             max_participants=20, required_certifications="CERT001")
    ClassType.objects.create(class_type_id="CT002", class_name="Spin", category="Cycling", duration_minutes=45,
                             max_participants=20)
    ClassSchedule.objects.create(schedule_id="CS1", class_type_id="CT001", facility_id="FAC001", area_id="AR002",
                                 instructor_id="STF1", day_of_week=1, start_time=T(18), end_time=T(19),
                                 max_capacity=10, price=money("0.00"), effective_date=D(2024, 1, 1))
    ClassSchedule.objects.create(schedule_id="CS2", class_type_id="CT002", facility_id="FAC001", area_id="AR002",
                                 instructor_id="STF1", day_of_week=3, start_time=T(7), end_time=T(7, 45),
                                 max_capacity=5, price=money("0.00"), effective_date=D(2024, 1, 1))
    for instance_id, schedule_id, day, status in (
        ("CI1", "CS1", D(2024, 3, 4), "Completed"),
        ("CI2", "CS1", D(2024, 3, 11), "Completed"),
        ("CI3", "CS2", D(2024, 3, 6), "Cancelled"),
    ):
        ClassInstance.objects.create(instance_id=instance_id, schedule_id=schedule_id, class_date=day,
                                     actual_instructor_id="STF1", status=status,
                                     cancellation_reason="Instructor ill" if status == "Cancelled" else None)
    for enrollment_id, member_id, instance_id, status in (
        ("E1", "MEM1", "CI1", "Attended"), ("E2", "MEM3", "CI1", "Attended"),
        ("E3", "MEM1", "CI2", "Attended"), ("E4", "MEM3", "CI2", "No-Show"), ("E5", "MEM2", "CI2", "Cancelled"),
        ("E6", "MEM1", "CI3", "Cancelled"),
    ):
        ClassEnrollment.objects.create(enrollment_id=enrollment_id, member_id=member_id, instance_id=instance_id,
                                       enrollment_date=local(D(2024, 3, 1), 12), enrollment_status=status)
    for feedback_id, member_id, day, ratings in (
        ("F1", "MEM1", D(2024, 3, 4), (5, 4, 3, 4)),
        ("F2", "MEM3", D(2024, 3, 5), (3, 4, 5, 5)),
    ):
        InstructorFeedback.objects.create(feedback_id=feedback_id, member_id=member_id, instructor_id="STF1",
                                          class_instance_id="CI1", feedback_date=day, teaching_quality=ratings[0],
                                          communication=ratings[1], motivation=ratings[2], overall_rating=ratings[3])


def add_shift(schedule_id, staff_id, facility_id, day, start, end, hours, status="Completed", tracked=None):
    StaffSchedule.objects.create(schedule_id=schedule_id, staff_id=staff_id, facility_id=facility_id,
                                 schedule_date=day, start_time=T(start), end_time=T(end),
                                 scheduled_hours=money(hours), shift_type="Morning", status=status)
    if tracked:
        actual, overtime, breaks = tracked
        StaffTimeTracking.objects.create(time_tracking_id=f"TT{schedule_id}", staff_id=staff_id,
                                         schedule_id=schedule_id, actual_start_time=local(day, start),
                                         actual_end_time=local(day, end), actual_hours=money(actual),
                                         overtime_hours=money(overtime), break_minutes=breaks)


def add_shifts_and_payroll():
    add_shift("SS1", "STF1", "FAC001", D(2024, 3, 4), 16, 20, "4.00", tracked=("4.50", "0.50", 0))
    add_shift("SS2", "STF2", "FAC001", D(2024, 3, 4), 6, 14, "8.00", tracked=("7.50", "0.00", 30))
    add_shift("SS3", "STF2", "FAC002", D(2024, 3, 5), 6, 10, "4.00", status="Absent")
    for payroll_id, staff_id, regular, overtime, regular_pay, overtime_pay, deductions in (
        ("PR1", "STF1", "4.00", "0.50", "100.00", "18.75", "10.00"),
        ("PR2", "STF2", "7.50", "0.00", "112.50", "0.00", "0.00"),
    ):
        gross = money(regular_pay) + money(overtime_pay)
        StaffPayroll.objects.create(payroll_id=payroll_id, staff_id=staff_id, pay_period_start=D(2024, 2, 26),
                                    pay_period_end=D(2024, 3, 10), regular_hours=money(regular),
                                    overtime_hours=money(overtime), regular_pay=money(regular_pay),
                                    overtime_pay=money(overtime_pay), deductions=money(deductions),
                                    gross_pay=gross, net_pay=gross - money(deductions), pay_date=D(2024, 3, 15))


def add_equipment():
    for equipment_id, facility_id, area_id, kind, status in (
        ("EQ1", "FAC001", "AR001", "Treadmill", "Active"),
        ("EQ2", "FAC001", "AR001", "Treadmill", "Maintenance"),
        ("EQ3", "FAC002", "AR003", "Bike", "Active"),
    ):
        Equipment.objects.create(equipment_id=equipment_id, facility_id=facility_id, area_id=area_id,
                                 equipment_name=f"{kind} {equipment_id}", equipment_type=kind, brand="Acme",
                                 model_name="X1", serial_number=f"SN{equipment_id}", purchase_date=D(2023, 1, 1),
                                 purchase_price=money("2500.00"), status=status)
    for usage_id, equipment_id, member_id, day, start, end in (
        ("U1", "EQ1", "MEM1", D(2024, 3, 4), (7, 15), (7, 45)),
        ("U2", "EQ1", "MEM1", D(2024, 3, 11), (7, 5), (7, 35)),
        ("U3", "EQ3", "MEM3", D(2024, 3, 5), (20, 40), (21, 10)),
    ):
        EquipmentUsage.objects.create(usage_id=usage_id, equipment_id=equipment_id, member_id=member_id,
                                      start_time=local(day, *start), end_time=local(day, *end), duration_minutes=30,
                                      usage_type="Workout")
    for maintenance_id, day, cost in (("M1", D(2024, 3, 4), "120.00"), ("M2", D(2024, 3, 5), "80.00")):
        EquipmentMaintenance.objects.create(maintenance_id=maintenance_id, equipment_id="EQ2", maintenance_date=day,
                                            maintenance_type="Repair", technician_name="Tech",
                                            cost=money(cost), next_maintenance_date=day + dt.timedelta(days=90))


def build_small_ods():
    add_membership_types()
    add_facilities()
    add_members()
    add_payments()
    add_visits()
    add_staff_and_classes()
    add_shifts_and_payroll()
    add_equipment()


AS_OF = D(2024, 3, 15)  # the batch's as-of date in these tests
