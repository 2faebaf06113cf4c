from django.db import models


class EquipmentStatus(models.TextChoices):
    ACTIVE = "Active"
    MAINTENANCE = "Maintenance"
    OUT_OF_ORDER = "Out of Order"
    RETIRED = "Retired"


# Statuses in which a machine must not be used (rule V6).
OUT_OF_SERVICE_STATUSES = (EquipmentStatus.MAINTENANCE, EquipmentStatus.OUT_OF_ORDER, EquipmentStatus.RETIRED)


class UsageType(models.TextChoices):
    WORKOUT = "Workout"
    WARMUP = "Warmup"
    COOLDOWN = "Cooldown"


class MaintenanceType(models.TextChoices):
    PREVENTIVE = "Preventive"
    REPAIR = "Repair"
    INSPECTION = "Inspection"
    REPLACEMENT = "Part Replacement"
