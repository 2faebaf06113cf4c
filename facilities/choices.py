from django.db import models


class AreaType(models.TextChoices):
    CARDIO = "Cardio"
    WEIGHTS = "Weight Training"
    STUDIO = "Studio"
    POOL = "Pool"
    SPIN_ROOM = "Spin Room"
    COURT = "Court"
    LOCKER_ROOM = "Locker Room"
    RECEPTION = "Reception"
    JUICE_BAR = "Juice Bar"
    CHILD_CARE = "Child Care"


class AccessMethod(models.TextChoices):
    KEY_CARD = "Key Card"
    MOBILE_APP = "Mobile App"
    STAFF_OVERRIDE = "Staff Override"
