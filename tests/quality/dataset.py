"""One small dataset covering all 23 ODS tables that satisfies every rule of
ods-rules.md, as check_ods defines them, for the window [2024-02-16, 2024-03-01).

Times are local (America/New_York, UTC-5 in February) and stored aware. Two
rows deliberately cross UTC midnight while staying on one local date (visit
ACC00000002, session USG00000002), so a check that used UTC dates would fail.

The chain lies in Massachusetts (Eastern, the region of America/New_York):
zip codes 011xx of Springfield, phone numbers with its area code 413.
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
    InstructorPerformance,
    Staff,
    StaffCertification,
    StaffFacility,
    StaffPayroll,
    StaffSchedule,
    StaffTimeTracking,
)

LOCAL = ZoneInfo("America/New_York")
AS_OF = dt.date(2024, 3, 1)
DAYS = 14  # window 2024-02-16 (Fri) .. 2024-02-29 (Thu)


def local(year, month, day, hour, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL)


def build_reference():
    MembershipType.objects.create(
        membership_type_id="MT001", type_name="Individual Monthly", monthly_fee=Decimal("49.99"),
        registration_fee=Decimal("25.00"), duration=1)
    MembershipType.objects.create(
        membership_type_id="MT006", type_name="Individual Annual", monthly_fee=Decimal("41.66"),
        registration_fee=Decimal("0.00"), duration=12)
    MembershipType.objects.create(  # for members aged 65 and over (fitness.core.catalog, rule M8)
        membership_type_id="MT004", type_name="Senior Monthly", monthly_fee=Decimal("39.99"),
        registration_fee=Decimal("20.00"), duration=1)
    for cert_id, name, months in (("CERT001", "CPR/AED", 24), ("CERT002", "First Aid", 24),
                                  ("CERT005", "Registered Yoga Teacher", 36)):
        InstructorCertification.objects.create(
            certification_id=cert_id, certification_name=name, issuing_organization="Org", validity_months=months)
    ClassType.objects.create(
        class_type_id="CT001", class_name="Yoga", category="Mind & Body", duration_minutes=60,
        max_participants=20, required_certifications="CERT001,CERT005")


def build_facilities():
    main = Facility.objects.create(
        facility_id="FAC001", facility_name="Downtown", address="1 Main St", city="Springfield", state="MA",
        zip_code="01103", phone_number="(413) 736-2100", open_time=dt.time(5), close_time=dt.time(23))
    other = Facility.objects.create(
        facility_id="FAC002", facility_name="Northside", address="9 North Rd", city="Chicopee", state="MA",
        zip_code="01020", phone_number="(413) 594-2200", open_time=dt.time(6), close_time=dt.time(22))
    for area_id, facility, name, area_type, capacity in (
        ("AR0001", main, "Group Fitness Studio", "Studio", 30),
        ("AR0002", main, "Cardio Zone", "Cardio", 40),
        # A general area (V9) for one person, filled exactly by two check-ins that meet at 17:00 (V8).
        ("AR0003", main, "Reception", "Reception", 1),
        ("AR0004", other, "Cardio Zone", "Cardio", 40),
    ):
        FacilityArea.objects.create(area_id=area_id, facility=facility, area_name=name, area_type=area_type,
                                    max_capacity=capacity, square_footage=Decimal("1500.00"))


def build_members():
    people = (
        ("MEM000001", dt.date(1990, 5, 5), dt.date(2024, 2, 16), "Active"),
        ("MEM000002", dt.date(1985, 1, 10), dt.date(2023, 6, 20), "Active"),
        ("MEM000003", dt.date(1956, 3, 3), dt.date(2023, 1, 5), "Expired"),  # 67 on 2024-01-05: a senior
    )
    for member_id, born, joined, status in people:
        Member.objects.create(
            member_id=member_id, first_name="Pat", last_name=member_id, email=f"{member_id}@example.com",
            phone=f"(413) 739-{member_id[-4:]}", date_of_birth=born, gender="F", address="2 Elm St",
            city="Springfield", state="MA", zip_code="01104", join_date=joined, member_status=status)
    for membership_id, member_id, type_id, start, end, status in (
        ("MSH00000001", "MEM000001", "MT001", dt.date(2024, 2, 16), dt.date(2024, 3, 16), "Active"),
        ("MSH00000002", "MEM000002", "MT006", dt.date(2023, 6, 20), dt.date(2024, 6, 20), "Active"),
        ("MSH00000004", "MEM000003", "MT006", dt.date(2023, 1, 5), dt.date(2024, 1, 5), "Expired"),  # first period
        ("MSH00000003", "MEM000003", "MT004", dt.date(2024, 1, 5), dt.date(2024, 2, 5), "Expired"),
    ):
        MemberMembership.objects.create(membership_id=membership_id, member_id=member_id,
                                        membership_type_id=type_id, start_date=start, end_date=end, status=status)
    for payment_id, member_id, day, amount, kind, status in (
        ("PAY00000001", "MEM000001", dt.date(2024, 2, 16), "25.00", "Registration", "Completed"),
        ("PAY00000002", "MEM000001", dt.date(2024, 2, 16), "49.99", "Monthly Dues", "Completed"),
        ("PAY00000003", "MEM000002", dt.date(2024, 2, 20), "41.66", "Monthly Dues", "Failed"),
        ("PAY00000004", "MEM000002", dt.date(2024, 2, 22), "41.66", "Monthly Dues", "Completed"),
        ("PAY00000005", "MEM000003", dt.date(2023, 3, 1), "12.00", "Class Fee", "Completed"),
    ):
        MemberPayment.objects.create(payment_id=payment_id, member_id=member_id, payment_date=day,
                                     amount=Decimal(amount), payment_type=kind, payment_method="Credit Card",
                                     status=status)
    build_history_dues()


# The dues of the billing months before the window (M5 covers the history): MEM000002's annual plan from
# 2023-06-20 (one failure, retried), MEM000003's annual plan from 2023-01-05 (one payment refunded later: the
# row keeps its date and amount, status 'Refunded') and its senior month from 2024-01-05.
HISTORY_DUES = (
    [("MEM000002", dt.date(2023, month, 20), "41.66") for month in range(6, 13)]
    + [("MEM000002", dt.date(2024, 1, 20), "41.66")]
    + [("MEM000003", dt.date(2023, month, 5), "41.66") for month in range(1, 13)]
    + [("MEM000003", dt.date(2024, 1, 5), "39.99")]
)
HISTORY_STATUSES = {("MEM000002", dt.date(2023, 9, 20)): "Failed", ("MEM000003", dt.date(2023, 4, 5)): "Refunded"}


def build_history_dues():
    for number, (member_id, day, amount) in enumerate(HISTORY_DUES, start=6):
        status = HISTORY_STATUSES.get((member_id, day), "Completed")
        MemberPayment.objects.create(payment_id=f"PAY{number:08d}", member_id=member_id, payment_date=day,
                                     amount=Decimal(amount), payment_type="Monthly Dues",
                                     payment_method="Credit Card", status=status)
    MemberPayment.objects.create(payment_id="PAY00000099", member_id="MEM000002", payment_date=dt.date(2023, 9, 23),
                                 amount=Decimal("41.66"), payment_type="Monthly Dues", payment_method="Credit Card",
                                 status="Completed")  # the retry of 2023-09-20's failure


def build_visits_and_equipment():
    for access_id, member_id, area_id, start, end in (
        ("ACC00000001", "MEM000001", "AR0002", local(2024, 2, 19, 7), local(2024, 2, 19, 8)),  # Mon, peak
        ("ACC00000002", "MEM000001", "AR0002", local(2024, 2, 20, 18), local(2024, 2, 20, 19, 30)),  # Tue, peak
        ("ACC00000003", "MEM000002", "AR0002", local(2024, 2, 21, 13), local(2024, 2, 21, 14)),  # Wed, off-peak
        ("ACC00000004", "MEM000002", "AR0001", local(2024, 2, 24, 10), local(2024, 2, 24, 11, 30)),  # Sat, class
        # Thu at the front desk: one leaves as the other arrives (V8), who then uses the treadmill (V9).
        ("ACC00000005", "MEM000002", "AR0003", local(2024, 2, 22, 16), local(2024, 2, 22, 17)),  # off-peak
        ("ACC00000006", "MEM000001", "AR0003", local(2024, 2, 22, 17), local(2024, 2, 22, 18)),  # peak
    ):
        MemberAccess.objects.create(
            access_id=access_id, member_id=member_id, facility_id="FAC001", area_id=area_id, check_in_time=start,
            check_out_time=end, access_method="Key Card", duration=int((end - start).total_seconds() // 60))
    Equipment.objects.create(
        equipment_id="EQ00001", facility_id="FAC001", area_id="AR0002", equipment_name="Treadmill 1",
        equipment_type="Treadmill", brand="Life Fitness", model_name="T5", serial_number="LF-1",
        purchase_date=dt.date(2022, 1, 10), purchase_price=Decimal("5000.00"),
        warranty_expiry=dt.date(2025, 1, 10), status="Active")
    for usage_id, start, end in (
        ("USG00000001", local(2024, 2, 20, 18, 10), local(2024, 2, 20, 18, 40)),  # visit into the Cardio Zone
        ("USG00000002", local(2024, 2, 20, 18, 45), local(2024, 2, 20, 19, 5)),
        ("USG00000003", local(2024, 2, 22, 17, 10), local(2024, 2, 22, 17, 40)),  # visit at the front desk
    ):
        EquipmentUsage.objects.create(
            usage_id=usage_id, equipment_id="EQ00001", member_id="MEM000001", start_time=start, end_time=end,
            duration_minutes=int((end - start).total_seconds() // 60), usage_type="Workout")
    EquipmentMaintenance.objects.create(
        maintenance_id="MNT000001", equipment_id="EQ00001", maintenance_date=dt.date(2024, 2, 5),
        maintenance_type="Preventive", technician_name="Robin Hayes", cost=Decimal("80.00"),
        next_maintenance_date=dt.date(2024, 5, 5))
    EquipmentMaintenance.objects.create(
        maintenance_id="MNT000002", equipment_id="EQ00001", maintenance_date=dt.date(2023, 11, 10),
        maintenance_type="Part Replacement", technician_name="Life Fitness Service", cost=Decimal("240.00"),
        parts_replaced="Drive belt, Motor brushes", next_maintenance_date=dt.date(2024, 2, 5))


def build_staff():
    for staff_id, title, department, hired, rate, status, terminated in (
        ("STF0001", "Group Fitness Instructor", "Fitness", dt.date(2023, 11, 1), "30.00", "Active", None),
        ("STF0002", "Manager", "Management", dt.date(2019, 1, 1), "40.00", "Active", None),
        ("STF0003", "Front Desk", "Front Office", dt.date(2021, 3, 1), "18.00", "Terminated", dt.date(2023, 12, 31)),
        ("STF0004", "Maintenance", "Facilities", dt.date(2022, 1, 3), "20.00", "Active", None),
    ):
        first_name, last_name = ("Robin", "Hayes") if title == "Maintenance" else ("Lee", staff_id)
        Staff.objects.create(
            staff_id=staff_id, employee_number=f"E{staff_id}", first_name=first_name, last_name=last_name,
            email=f"{staff_id}@example.com", phone=f"(413) 736-{staff_id[-4:]}", hire_date=hired, job_title=title,
            department=department, employment_type="Full-Time", hourly_rate=Decimal(rate), status=status,
            termination_date=terminated)
    for assignment_id, staff_id, start, end in (
        ("ASG00001", "STF0001", dt.date(2023, 11, 1), None),
        ("ASG00002", "STF0002", dt.date(2019, 1, 1), None),
        ("ASG00003", "STF0003", dt.date(2021, 3, 1), dt.date(2023, 12, 31)),
        ("ASG00004", "STF0004", dt.date(2022, 1, 3), None),
    ):
        StaffFacility.objects.create(assignment_id=assignment_id, staff_id=staff_id, facility_id="FAC001",
                                     is_primary=True, start_date=start, end_date=end)
    for cert_row, cert_id, certified, expires, status in (
        ("SCR00001", "CERT001", dt.date(2023, 1, 15), dt.date(2025, 1, 15), "Active"),
        ("SCR00002", "CERT005", dt.date(2022, 6, 10), dt.date(2025, 6, 10), "Active"),
        ("SCR00003", "CERT002", dt.date(2021, 1, 10), dt.date(2023, 1, 10), "Expired"),
    ):
        StaffCertification.objects.create(
            staff_certification_id=cert_row, staff_id="STF0001", certification_id=cert_id,
            certification_date=certified, expiry_date=expires, certification_number=f"N-{cert_row}", status=status)


def build_shifts_and_pay():
    for shift_id, day in (("SHF0000001", dt.date(2024, 2, 12)), ("SHF0000002", dt.date(2024, 2, 13))):
        StaffSchedule.objects.create(
            schedule_id=shift_id, staff_id="STF0002", facility_id="FAC001", schedule_date=day,
            start_time=dt.time(8), end_time=dt.time(16), scheduled_hours=Decimal("8.00"), shift_type="Morning",
            status="Completed")
    for entry_id, shift_id, start, end, hours in (
        ("TTR0000001", "SHF0000001", local(2024, 2, 12, 8), local(2024, 2, 12, 16, 30), "8.00"),
        ("TTR0000002", "SHF0000002", local(2024, 2, 13, 7, 55), local(2024, 2, 13, 16, 5), "7.67"),
    ):
        StaffTimeTracking.objects.create(
            time_tracking_id=entry_id, staff_id="STF0002", schedule_id=shift_id, actual_start_time=start,
            actual_end_time=end, actual_hours=Decimal(hours), overtime_hours=Decimal("0.00"), break_minutes=30)
    StaffPayroll.objects.create(
        payroll_id="PRL000001", staff_id="STF0002", pay_period_start=dt.date(2024, 2, 5),
        pay_period_end=dt.date(2024, 2, 18), regular_hours=Decimal("15.67"), overtime_hours=Decimal("0.00"),
        regular_pay=Decimal("626.80"), overtime_pay=Decimal("0.00"), bonuses=Decimal("0.00"),
        deductions=Decimal("100.00"), gross_pay=Decimal("626.80"), net_pay=Decimal("526.80"),
        pay_date=dt.date(2024, 2, 23))


def build_classes():
    for schedule_id, day_of_week, start, end, effective in (
        ("SCH0001", 6, dt.time(10, 15), dt.time(11, 15), dt.date(2024, 1, 6)),  # Saturdays
        ("SCH0002", 3, dt.time(19), dt.time(20), dt.date(2024, 3, 6)),  # Wednesdays, from after the window
    ):
        ClassSchedule.objects.create(
            schedule_id=schedule_id, class_type_id="CT001", facility_id="FAC001", area_id="AR0001",
            instructor_id="STF0001", day_of_week=day_of_week, start_time=start, end_time=end, max_capacity=15,
            price=Decimal("0.00"), effective_date=effective)
    ClassInstance.objects.create(
        instance_id="INS0000001", schedule_id="SCH0001", class_date=dt.date(2024, 2, 17), status="Cancelled",
        cancellation_reason="Instructor ill", actual_capacity=0)
    ClassInstance.objects.create(
        instance_id="INS0000002", schedule_id="SCH0001", class_date=dt.date(2024, 2, 24), status="Completed",
        actual_start_time=local(2024, 2, 24, 10, 15), actual_end_time=local(2024, 2, 24, 11, 15),
        actual_instructor_id="STF0001", actual_capacity=1)
    ClassInstance.objects.create(
        instance_id="INS0000003", schedule_id="SCH0001", class_date=dt.date(2024, 3, 2), status="Scheduled")
    for enrollment_id, member_id, instance_id, enrolled, status, check_in, check_out in (
        ("ENR00000001", "MEM000002", "INS0000002", local(2024, 2, 20, 4), "Attended",
         local(2024, 2, 24, 10, 5), local(2024, 2, 24, 11, 20)),
        ("ENR00000002", "MEM000001", "INS0000002", local(2024, 2, 21, 9), "Cancelled", None, None),
        ("ENR00000003", "MEM000001", "INS0000003", local(2024, 2, 28, 7), "Enrolled", None, None),
    ):
        ClassEnrollment.objects.create(
            enrollment_id=enrollment_id, member_id=member_id, instance_id=instance_id, enrollment_date=enrolled,
            enrollment_status=status, check_in_time=check_in, check_out_time=check_out)
    InstructorFeedback.objects.create(
        feedback_id="FBK0000001", member_id="MEM000002", instructor_id="STF0001", class_instance_id="INS0000002",
        feedback_date=dt.date(2024, 2, 24), teaching_quality=5, communication=4, motivation=5, overall_rating=5)
    InstructorPerformance.objects.create(
        performance_id="PRF00001", instructor_id="STF0001", evaluation_date=dt.date(2024, 2, 28),
        # One completed class (INS0000002) in the 30 days before the review.
        evaluator_id="STF0002", classes_per_month=1, average_attendance=Decimal("1.00"),
        member_retention_rate=Decimal("85.00"), member_satisfaction_score=Decimal("5.00"),
        professionalism_score=Decimal("4.50"), communication_score=Decimal("4.00"), overall_rating=Decimal("4.50"))


def build_valid_dataset():
    """Create every row; the ODS then passes every check for AS_OF and DAYS."""
    build_reference()
    build_facilities()
    build_members()
    build_visits_and_equipment()
    build_staff()
    build_shifts_and_pay()
    build_classes()
