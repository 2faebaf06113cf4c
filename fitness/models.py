"""Bookkeeping of the ODS's own jobs (not ERD tables): seed runs, so that
`seed_ods --append` can continue a chain, saved data-quality runs, and admin imports awaiting
confirmation."""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from fitness.core.permissions import DATA_QUALITY


class SeedRun(models.Model):
    """One completed `seed_ods` run: enough to continue the same chain later."""

    MODE_CHOICES = [("create", "create"), ("flush", "flush"), ("append", "append")]

    created_at = models.DateTimeField(auto_now_add=True)
    mode = models.CharField(max_length=10, choices=MODE_CHOICES)
    seed = models.BigIntegerField()
    profile = models.CharField(max_length=20)
    parameters = models.JSONField(default=dict, help_text="Resolved profile: facilities, members, staff, ...")
    window_start = models.DateField(help_text="First simulated day (inclusive).")
    window_end = models.DateField(help_text="Day after the last simulated day (the as-of date).")
    state = models.JSONField(default=dict, help_text="Simulation state needed to append: id counters, ...")
    row_counts = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)
    peak_rss_mb = models.FloatField(default=0)

    class Meta:
        db_table = "ods_seed_run"
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"seed run {self.pk}: {self.profile} seed={self.seed} {self.window_start}..{self.window_end}"


class QualityRun(models.Model):
    """One `check_ods` run with its full JSON result document."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    success = models.BooleanField()
    checks_run = models.PositiveIntegerField(default=0)
    checks_failed = models.PositiveIntegerField(default=0)
    violations = models.BigIntegerField(default=0)
    options = models.JSONField(default=dict, help_text="--only / --skip as given.")
    report = models.JSONField(default=dict)

    class Meta:
        db_table = "ods_quality_run"
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"
        verbose_name = "data quality run"
        permissions = [DATA_QUALITY]

    def __str__(self):
        return f"quality run {self.pk} at {self.started_at:%Y-%m-%d %H:%M}: {'pass' if self.success else 'FAIL'}"


class PendingImport(models.Model):
    """An admin CSV import between its preview and its confirmation: the uploaded file (zlib-compressed)
    and the preview's counts. Confirm imports these bytes and deletes the row in the same transaction;
    cancel deletes it; every import page view first deletes those older than
    `settings.ODS_ADMIN_IMPORT_PENDING_MINUTES`. Nothing of the upload is kept on disk, and a refused
    preview stores nothing."""

    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    table = models.CharField(max_length=64, help_text="The ERD table the file is for (db_table).")
    file_name = models.CharField(max_length=255)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.BinaryField(help_text="The uploaded file's bytes, zlib-compressed.")
    rows = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    same = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "ods_pending_import"
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"pending import of {self.file_name} into {self.table} ({self.created:%Y-%m-%d %H:%M})"
