from django.db import models


class ClassCategory(models.TextChoices):
    MIND_BODY = "Mind & Body"
    CARDIO = "Cardio"
    STRENGTH = "Strength"
    HIIT = "HIIT"
    AQUATIC = "Aquatic"
    CYCLING = "Cycling"
    COMBAT = "Combat"
    DANCE = "Dance"


class InstanceStatus(models.TextChoices):
    SCHEDULED = "Scheduled"
    COMPLETED = "Completed"
    CANCELLED = "Cancelled"


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "Enrolled"  # booked, class not yet held
    WAITLISTED = "Waitlisted"
    ATTENDED = "Attended"
    NO_SHOW = "No-Show"
    CANCELLED = "Cancelled"


# Enrollment statuses that occupy one of the schedule's places (rule C5).
PLACE_HOLDING_STATUSES = (EnrollmentStatus.ENROLLED, EnrollmentStatus.ATTENDED, EnrollmentStatus.NO_SHOW)
