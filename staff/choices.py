from django.db import models


class JobTitle(models.TextChoices):
    PERSONAL_TRAINER = "Personal Trainer"
    GROUP_FITNESS_INSTRUCTOR = "Group Fitness Instructor"
    FRONT_DESK = "Front Desk"
    MANAGER = "Manager"
    MAINTENANCE = "Maintenance"
    LIFEGUARD = "Lifeguard"
    NUTRITIONIST = "Nutritionist"
    PHYSICAL_THERAPIST = "Physical Therapist"


# Titles whose holders may teach classes (and so are reviewed as instructors).
INSTRUCTOR_TITLES = (JobTitle.PERSONAL_TRAINER, JobTitle.GROUP_FITNESS_INSTRUCTOR)


class Department(models.TextChoices):
    FITNESS = "Fitness"
    FRONT_OFFICE = "Front Office"
    MANAGEMENT = "Management"
    FACILITIES = "Facilities"
    AQUATICS = "Aquatics"
    WELLNESS = "Wellness"


class EmploymentType(models.TextChoices):
    FULL_TIME = "Full-Time"
    PART_TIME = "Part-Time"
    CONTRACT = "Contract"


class StaffStatus(models.TextChoices):
    ACTIVE = "Active"
    ON_LEAVE = "On Leave"
    TERMINATED = "Terminated"


class ShiftType(models.TextChoices):
    MORNING = "Morning"
    AFTERNOON = "Afternoon"
    EVENING = "Evening"


class ShiftStatus(models.TextChoices):
    SCHEDULED = "Scheduled"
    COMPLETED = "Completed"
    CANCELLED = "Cancelled"
    ABSENT = "Absent"


class CertificationStatus(models.TextChoices):
    ACTIVE = "Active"
    EXPIRED = "Expired"
