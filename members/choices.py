from django.db import models


class Gender(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    OTHER = "O", "Other"


class MemberStatus(models.TextChoices):
    ACTIVE = "Active"
    SUSPENDED = "Suspended"
    CANCELLED = "Cancelled"
    EXPIRED = "Expired"  # last period ended without renewal


class MembershipStatus(models.TextChoices):
    ACTIVE = "Active"
    EXPIRED = "Expired"
    CANCELLED = "Cancelled"
    SUSPENDED = "Suspended"


class PaymentType(models.TextChoices):
    REGISTRATION = "Registration"
    MONTHLY_DUES = "Monthly Dues"
    CLASS_FEE = "Class Fee"
    LATE_FEE = "Late Fee"


class PaymentMethod(models.TextChoices):
    CREDIT_CARD = "Credit Card"
    BANK_TRANSFER = "Bank Transfer"
    CASH = "Cash"


class PaymentStatus(models.TextChoices):
    COMPLETED = "Completed"
    FAILED = "Failed"
    PENDING = "Pending"
    REFUNDED = "Refunded"
