"""Members, the membership plans they buy, their membership periods and payments."""
from django.db import models
from django.utils import timezone

from fitness.core.constraints import after, at_least, one_of, positive
from fitness.core.fields import IdField
from fitness.core.permissions import MEMBER_HEALTH, ODS_PERMISSIONS

from .choices import Gender, MembershipStatus, MemberStatus, PaymentMethod, PaymentStatus, PaymentType


class MembershipType(models.Model):
    membership_type_id = IdField(primary_key=True, max_length=20, db_column="membershiptypeid")
    type_name = models.CharField(max_length=100, db_column="typename")
    description = models.TextField(null=True, blank=True, db_column="description")
    monthly_fee = models.DecimalField(max_digits=10, decimal_places=2, db_column="monthlyfee")
    registration_fee = models.DecimalField(max_digits=10, decimal_places=2, db_column="registrationfee")
    duration = models.PositiveIntegerField(db_column="duration", help_text="Length of one period in months.")
    max_family_members = models.PositiveIntegerField(default=1, db_column="maxfamilymembers")
    is_active = models.BooleanField(default=True, db_column="isactive")
    created_date = models.DateTimeField(default=timezone.now, db_column="createddate")

    class Meta:
        db_table = "membershiptypes"
        default_permissions = ODS_PERMISSIONS
        ordering = ["membership_type_id"]
        constraints = [
            at_least("membershiptypes", "monthly_fee", 0),
            at_least("membershiptypes", "registration_fee", 0),
            positive("membershiptypes", "duration"),
            positive("membershiptypes", "max_family_members"),
        ]

    def __str__(self):
        return f"{self.membership_type_id} {self.type_name}"


class Member(models.Model):
    member_id = IdField(primary_key=True, max_length=20, db_column="memberid")
    first_name = models.CharField(max_length=60, db_column="firstname")
    last_name = models.CharField(max_length=60, db_column="lastname")
    email = models.EmailField(max_length=254, db_column="email")
    phone = models.CharField(max_length=30, db_column="phone")
    date_of_birth = models.DateField(db_column="dateofbirth")
    gender = models.CharField(max_length=1, choices=Gender.choices, db_column="gender")
    address = models.CharField(max_length=200, db_column="address")
    city = models.CharField(max_length=100, db_column="city")
    state = models.CharField(max_length=50, db_column="state")
    zip_code = models.CharField(max_length=10, db_column="zipcode")
    emergency_contact = models.CharField(max_length=120, null=True, blank=True, db_column="emergencycontact")
    emergency_phone = models.CharField(max_length=30, null=True, blank=True, db_column="emergencyphone")
    medical_alerts = models.TextField(null=True, blank=True, db_column="medicalalerts")
    join_date = models.DateField(db_column="joindate", db_index=True)
    member_status = models.CharField(max_length=20, choices=MemberStatus.choices, db_column="memberstatus")
    last_modified = models.DateTimeField(default=timezone.now, db_column="lastmodified", db_index=True)

    class Meta:
        db_table = "members"
        default_permissions = ODS_PERMISSIONS
        permissions = [MEMBER_HEALTH]
        ordering = ["member_id"]
        # The admin's member search matches an exact id, last name or email: each needs its index.
        indexes = [models.Index(fields=["last_name", "first_name"], name="members_name_idx"),
                   models.Index(fields=["email"], name="members_email_idx")]
        constraints = [
            one_of("members", "gender", Gender),
            one_of("members", "member_status", MemberStatus),
            after("members", "join_date", "date_of_birth", nullable=False),
        ]

    def __str__(self):
        return f"{self.member_id} {self.first_name} {self.last_name}"


class MemberMembership(models.Model):
    membership_id = IdField(primary_key=True, max_length=20, db_column="membershipid")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, db_column="memberid", related_name="memberships", db_index=False
    )
    membership_type = models.ForeignKey(
        MembershipType, on_delete=models.PROTECT, db_column="membershiptypeid", related_name="memberships"
    )
    start_date = models.DateField(db_column="startdate")
    end_date = models.DateField(db_column="enddate")
    status = models.CharField(max_length=20, choices=MembershipStatus.choices, db_column="status")
    auto_renew = models.BooleanField(default=False, db_column="autorenew")

    class Meta:
        db_table = "membermemberships"
        default_permissions = ODS_PERMISSIONS
        ordering = ["membership_id"]
        indexes = [
            models.Index(fields=["member", "start_date"], name="membermships_member_start_idx"),
            models.Index(fields=["start_date", "end_date"], name="membermships_period_idx"),
        ]
        constraints = [
            one_of("membermemberships", "status", MembershipStatus),
            after("membermemberships", "end_date", "start_date", strict=False, nullable=False),
        ]

    def __str__(self):
        return f"{self.membership_id} {self.member_id} {self.start_date}..{self.end_date}"


class MemberPayment(models.Model):
    payment_id = IdField(primary_key=True, max_length=20, db_column="paymentid")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, db_column="memberid", related_name="payments", db_index=False
    )
    payment_date = models.DateField(db_column="paymentdate", db_index=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, db_column="amount")
    payment_type = models.CharField(max_length=20, choices=PaymentType.choices, db_column="paymenttype")
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices, db_column="paymentmethod")
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, db_column="status")

    class Meta:
        db_table = "memberpayments"
        default_permissions = ODS_PERMISSIONS
        ordering = ["payment_id"]
        indexes = [models.Index(fields=["member", "payment_date"], name="memberpay_member_date_idx")]
        constraints = [
            positive("memberpayments", "amount"),
            one_of("memberpayments", "payment_type", PaymentType),
            one_of("memberpayments", "payment_method", PaymentMethod),
            one_of("memberpayments", "status", PaymentStatus),
        ]

    def __str__(self):
        return f"{self.payment_id} {self.member_id} {self.amount}"
