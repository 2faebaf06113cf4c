"""Admin machinery shared by the 23 ODS tables.

- `EstimatedCountPaginator`: on PostgreSQL an unfiltered change list of a big
  table takes its row count from the planner statistics (pg_class.reltuples)
  instead of a full `COUNT(*)`.
- `OdsModelAdmin`: the base ModelAdmin. No full result count, no facets, the
  estimated paginator, CSV export through the ERD resources' format form
  (formula-escaped by `csvio`; the export streams, through COPY on PostgreSQL),
  and a CSV import page on the import engine (`table_import`): upload, a
  preview ("N new, N changed, N same" and the new rows and changed cells), then
  confirm (one transaction, all-or-nothing) or cancel. A refused file lists its
  first problems (row, column, reason, detail) and counts all of them per
  column and reason. Between preview and confirm the file waits, compressed, in
  `fitness.models.PendingImport`, never on disk. Import and export are separate
  permissions (`<app>.import_<model>`, `<app>.export_<model>`, as
  django-import-export names them; without them there is no button and the
  view is 403).
- `FieldPermissionMixin` (part of `OdsModelAdmin`): columns that need a right
  of their own (`fitness.core.permissions.PROTECTED_FIELDS`: members' health
  and contact fields, staff pay) are left out of the change form (so a save
  keeps their stored value), the change list's columns, filters and search,
  URL lookups and the CSV export for a user without that right; such a user
  cannot import the table at all (its file carries those columns, and the
  preview would show their stored values).
- `ImportSizeLimitHandler`: the first upload handler; drops an uploaded file
  over `settings.ODS_ADMIN_IMPORT_MAX_BYTES` before any of it is stored.
"""
import datetime as dt
import io
import uuid
import zlib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.db import connections, models, transaction
from django.db.models import Max, Min
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV
from import_export.forms import ExportForm
from import_export.signals import post_export

from fitness import copy_export, csvio, table_import
from fitness.core.dialect import Dialect
from fitness.core.permissions import hidden_fields, lookup_is_hidden
from fitness.import_sources import CsvSource
from fitness.models import PendingImport

# Below this many estimated rows an exact count is cheap enough to run.
EXACT_COUNT_LIMIT = 100_000
# A filtered list counts at most this many rows (and says "10,000+"): a filter matching millions would
# otherwise count them all on every page view.
FILTERED_COUNT_CAP = 10_000


def estimated_row_count(queryset):
    """The planner's row estimate for the queryset's table, or None when there is
    no usable estimate (not PostgreSQL, a filtered queryset, or never analysed)."""
    if queryset.query.where:
        return None
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        return Dialect.for_connection(connection).estimated_count(cursor, queryset.model._meta.db_table)


class EstimatedCountPaginator(Paginator):
    """Estimates big unfiltered lists, counts the rest up to FILTERED_COUNT_CAP; `count_label` says which
    ("about 8.7 million", "10,000+", "1,234")."""

    estimated = capped = False

    @cached_property
    def count(self):
        estimate = estimated_row_count(self.object_list)
        if estimate is not None and estimate >= EXACT_COUNT_LIMIT:
            self.estimated = True
            return estimate
        counted = self.object_list.order_by()[:FILTERED_COUNT_CAP + 1].count()
        self.capped = counted > FILTERED_COUNT_CAP
        return counted

    @property
    def count_label(self) -> str:
        count = self.count
        if self.estimated:
            return f"about {about(count)}"
        if self.capped:
            return f"{FILTERED_COUNT_CAP:,}+"
        return f"{count:,}"


def about(count: int) -> str:
    """A planner estimate as a person would say it: 8.7 million, 870,000."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} million"
    return f"{round(count, -3):,}"


class DataMonthFilter(admin.FieldListFilter):
    """Date choices that fit the data, not today: the years the table spans and the 24 months up to its last
    date, newest first, from its first and last value (two probes of the column's index where it has one).
    Selects `<field>__gte` .. `<field>__lt` (local midnights for a DateTimeField), as Django's date filter does."""

    MONTHS = 24

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.since_kwarg, self.until_kwarg = f"{field_path}__gte", f"{field_path}__lt"
        # Read before the base class takes the parameters out of `params` (their values are lists).
        self.since, self.until = ((params.get(kwarg) or [None])[-1] for kwarg in (self.since_kwarg, self.until_kwarg))
        super().__init__(field, request, params, model, model_admin, field_path)
        bounds = model._default_manager.aggregate(first=Min(field_path), last=Max(field_path))
        self.links = self.spans(field, bounds["first"], bounds["last"])

    def expected_parameters(self):
        return [self.since_kwarg, self.until_kwarg]

    def spans(self, field, first, last):
        """[(label, since text, until text)] for every year and the last MONTHS months of [first, last]."""
        if first is None or last is None:
            return []
        if isinstance(field, models.DateTimeField):
            first, last = timezone.localtime(first).date(), timezone.localtime(last).date()
        bound = self.bound_text(field)
        years = [(str(year), bound(dt.date(year, 1, 1)), bound(dt.date(year + 1, 1, 1)))
                 for year in range(last.year, first.year - 1, -1)]
        months, month = [], last.replace(day=1)
        while month >= first.replace(day=1) and len(months) < self.MONTHS:
            following = (month + dt.timedelta(days=32)).replace(day=1)
            months.append((month.strftime("%B %Y"), bound(month), bound(following)))
            month = (month - dt.timedelta(days=1)).replace(day=1)
        return years + months

    @staticmethod
    def bound_text(field):
        if isinstance(field, models.DateTimeField):
            return lambda day: str(timezone.make_aware(dt.datetime.combine(day, dt.time())))
        return str

    def choices(self, changelist):
        yield {"selected": self.since is None and self.until is None, "display": _("Any date"),
               "query_string": changelist.get_query_string(remove=[self.since_kwarg, self.until_kwarg])}
        for label, since, until in self.links:
            yield {"selected": self.since == since and self.until == until, "display": label,
                   "query_string": changelist.get_query_string({self.since_kwarg: since, self.until_kwarg: until})}


class FieldPermissionMixin:
    """Hides the model's protected fields (fitness.core.permissions) from a user without their permission:
    every admin hook that names fields drops them. Excluded from the form, not read-only, so they are
    neither shown nor posted and a save leaves the stored value alone. On the add form a protected field
    the row cannot be saved without (NOT NULL, no default: a member's date of birth) stays, empty: whoever
    may add the row must be able to fill it, and it shows nothing stored."""

    def hidden_field_names(self, request, adding=False):
        hidden = hidden_fields(self.model, request.user)
        if adding:
            hidden = {name for name in hidden if not self.required_to_add(name)}
        return hidden

    def required_to_add(self, name):
        field = self.model._meta.get_field(name)
        return not field.null and not field.blank and not field.has_default()

    def visible(self, request, names, adding=False):
        hidden = self.hidden_field_names(request, adding)
        return [name for name in names if name not in hidden]

    # The form hooks get obj=None on the add form only.
    def get_exclude(self, request, obj=None):
        hidden = self.hidden_field_names(request, adding=obj is None)
        return [*(super().get_exclude(request, obj) or ()), *sorted(hidden)]

    def get_fields(self, request, obj=None):
        return self.visible(request, super().get_fields(request, obj), adding=obj is None)

    def get_readonly_fields(self, request, obj=None):
        return self.visible(request, super().get_readonly_fields(request, obj), adding=obj is None)

    def get_list_display(self, request):
        return self.visible(request, super().get_list_display(request))

    def get_list_filter(self, request):
        """list_filter entries are names, (name, filter class) pairs or filter classes (kept)."""
        def hidden(entry):
            name = entry[0] if isinstance(entry, (list, tuple)) else entry
            return isinstance(name, str) and lookup_is_hidden(self.model, name, request.user)
        return [entry for entry in super().get_list_filter(request) if not hidden(entry)]

    def get_search_fields(self, request):
        return [name for name in super().get_search_fields(request)
                if not lookup_is_hidden(self.model, name.lstrip("^=@"), request.user)]

    def lookup_allowed(self, lookup, value, request=None):
        """A URL filter on a hidden field (?medical_alerts__icontains=...) would tell its values row by
        row: refused (Django answers 400)."""
        if request is not None and lookup_is_hidden(self.model, lookup, request.user):
            return False
        return super().lookup_allowed(lookup, value, request)

    def export_fields(self, request):
        """The ERD columns the user's CSV export holds, in ERD order (all for a user who sees all)."""
        hidden = hidden_fields(self.model, request.user)
        return [field for field in csvio.erd_fields(self.model) if field.name not in hidden]

    def init_request_context_data(self, request, form):
        """The export page lists the columns the file will hold: the user's, not the resource's."""
        context = super().init_request_context_data(request, form)
        columns = [field.column for field in self.export_fields(request)]
        context["fields_list"] = [(name, columns) for name, _columns in context.get("fields_list", ())]
        return context

    def has_import_permission(self, request):
        """An import file must carry every ERD column, and its preview shows the stored values of the
        changed cells: a user who may not see some of them cannot import the table."""
        return super().has_import_permission(request) and not hidden_fields(self.model, request.user)


def view_permission(model):
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


def rows_link(model, owner_field, owner, noun):
    """"all 47 periods": a link to `model`'s change list searched for `owner` (its search fields take the
    owner's id), counting the rows whose `owner_field` is `owner`."""
    if owner is None or owner.pk is None:
        return "-"
    count = model.objects.filter(**{owner_field: owner}).count()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return format_html('<a href="{}?q={}">all {} {}{}</a>', url, owner.pk, count, noun, "" if count == 1 else "s")


class OdsModelAdmin(FieldPermissionMixin, ImportExportModelAdmin):
    """Base admin for ODS tables: fast on millions of rows, CSV in and out."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    formats = [CSV]
    # A fixed set of columns: the header must be the ERD's, so no field picker.
    export_form_class = ExportForm
    import_template_name = "admin/ods_import.html"

    # Read-only fields that link to another table's rows (see rows_link): {field name: that model}. A user who
    # may not view that model gets no link to a 403 page.
    linked_rows = {}

    def get_readonly_fields(self, request, obj=None):
        return [name for name in super().get_readonly_fields(request, obj)
                if name not in self.linked_rows or request.user.has_perm(view_permission(self.linked_rows[name]))]

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        """The change list's row checkbox, the same HTML as Django's own, written directly: Django renders
        it through a widget template per row, a fifth of a change list's time."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
                           ACTION_CHECKBOX_NAME, str(obj.pk), label)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """An emptied nullable text field saves NULL, as the column had, not "" (Django does so for a
        nullable CharField but not for a TextField such as medicalalerts)."""
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.null and isinstance(db_field, (models.CharField, models.TextField)) and \
                hasattr(formfield, "empty_value"):
            formfield.empty_value = None
        return formfield

    def export_action(self, request):
        """The export view (django-import-export's public hook): the same
        permission check, change-list queryset and format form as the package's
        own view, but a valid form is answered by `csv_export_response`, which
        streams. The package's response would hold the whole file in memory.
        There is no "export selected" admin action, so no `export_items`."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        try:
            queryset = self.get_export_queryset(request)  # keeps the change list's filters and search
        except IncorrectLookupParameters as error:
            raise BadRequest(f"The export's filters name no column: {error}") from None
        if self.is_skip_export_form_enabled():
            return self.csv_export_response(request, queryset)
        form_class = self.get_export_form_class()
        form = form_class(
            self.get_export_formats(), self.get_export_resource_classes(request), data=request.POST or None
        )
        if form.is_valid():
            return self.csv_export_response(request, queryset)
        context = self.init_request_context_data(request, form)
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.export_template_name], context=context)

    def csv_export_response(self, request, queryset):
        """Stream the CSV straight from the database through copy_export (COPY on
        PostgreSQL, csvio elsewhere: the same bytes the resource would build,
        without holding millions of rows in a tablib Dataset), and send
        django-import-export's `post_export` signal."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        response = StreamingHttpResponse(
            copy_export.table_csv_chunks(self.model, queryset, self.export_fields(request)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.model._meta.db_table}.csv"'
        post_export.send(sender=None, model=self.model)
        return response

    # -- import ----------------------------------------------------------------------------------------
    # django-import-export's URLs and change-list button stay ("<app>_<model>_import" and
    # "..._process_import", both behind has_import_permission); its import flow (a SELECT, constraint
    # queries and a savepoint per row; the file kept in a temporary file) is replaced by the engine.

    def import_action(self, request, **kwargs):
        """GET: the upload form, showing the header the file must have. POST: preview the uploaded file
        with the engine (nothing is written): a refused file shows its problems and is kept nowhere; an
        accepted one is kept, compressed, as a PendingImport and the page shows what confirming would do."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        sweep_pending_imports()
        if request.method != "POST":
            return self.import_page(request, ImportUploadForm())
        form = ImportUploadForm(request.POST, request.FILES)
        refused_name = refused_upload(request)
        if refused_name is not None:
            return self.import_page(request, ImportUploadForm(), upload_error=too_big_message(refused_name))
        if not form.is_valid():
            return self.import_page(request, form)
        upload = form.cleaned_data["import_file"]
        if upload.size > settings.ODS_ADMIN_IMPORT_MAX_BYTES:  # when the limit handler is not installed
            upload.close()
            return self.import_page(request, ImportUploadForm(), upload_error=too_big_message(upload.name))
        data = read_upload(upload)
        try:
            [outcome] = table_import.import_tables([CsvSource(self.model, io.BytesIO(data), upload.name)],
                                                   mode="preview")
        except csvio.ImportRefused as refused:
            return self.import_page(request, ImportUploadForm(), refused=refused, file_name=upload.name)
        pending = PendingImport.objects.create(
            user=request.user, table=self.model._meta.db_table, file_name=upload.name,
            data=zlib.compress(data, PENDING_COMPRESSION_LEVEL),
            rows=outcome.rows, new=outcome.new, changed=outcome.changed, same=outcome.same,
        )
        return self.import_page(request, ImportUploadForm(), pending=pending, outcome=outcome)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Confirm (or, with `cancel`, drop) the caller's pending import of this table named by `token`.
        Confirm imports the kept file with the engine in `upsert` mode and deletes the pending import in
        the same transaction: all or nothing, and a token works once."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        sweep_pending_imports()
        pending_imports = PendingImport.objects.filter(
            token=parse_token(request.POST.get("token")), user=request.user, table=self.model._meta.db_table)
        if "cancel" in request.POST:
            if pending_imports.delete()[0]:
                messages.info(request, _("Import cancelled: nothing was saved and the uploaded file is gone."))
            return HttpResponseRedirect(self.import_url())
        try:
            with transaction.atomic():
                pending = pending_imports.select_for_update().first()
                if pending is None:
                    raise PendingImport.DoesNotExist
                source = CsvSource(self.model, io.BytesIO(zlib.decompress(pending.data)), pending.file_name)
                [outcome] = table_import.import_tables([source], mode="upsert")
                pending.delete()
        except PendingImport.DoesNotExist:
            messages.error(request, _(
                "There is no such pending import (already confirmed or cancelled, or older than %(minutes)s "
                "minutes): nothing was imported. Upload the file again."
            ) % {"minutes": settings.ODS_ADMIN_IMPORT_PENDING_MINUTES})
            return HttpResponseRedirect(self.import_url())
        except csvio.ImportRefused as refused:
            # The data changed since the preview (e.g. a parent row was deleted): nothing was saved, and the
            # kept file goes too (it would be refused again).
            file_name = pending.file_name
            pending_imports.delete()
            return self.import_page(request, ImportUploadForm(), refused=refused, file_name=file_name,
                                    at_confirm=True)
        messages.success(request, _("Imported %(file)s: %(new)s new, %(changed)s changed, %(same)s unchanged") % {
            "file": pending.file_name, "new": f"{outcome.new:,}", "changed": f"{outcome.changed:,}",
            "same": f"{outcome.same:,}"})
        if (outcome.new, outcome.changed) != (pending.new, pending.changed):
            messages.warning(request, _(
                "The table changed after the preview, which counted %(new)s new and %(changed)s changed rows."
            ) % {"new": f"{pending.new:,}", "changed": f"{pending.changed:,}"})
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def import_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")

    def import_page(self, request, form, *, upload_error="", refused=None, file_name="", at_confirm=False,
                    pending=None, outcome=None):
        """The import page: the upload form, and a refusal or a preview when there is one."""
        header = csvio.erd_header(self.model)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import %(name)s") % {"name": self.opts.verbose_name_plural},
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "expected_header": ",".join(header),
            "max_size": size_label(settings.ODS_ADMIN_IMPORT_MAX_BYTES),
            "pending_minutes": settings.ODS_ADMIN_IMPORT_PENDING_MINUTES,
            "has_export_permission": self.has_export_permission(request),
            "file_name": file_name,
            "upload_error": upload_error,
        }
        if refused is not None:
            context["refused"] = {
                "total": refused.total,
                "errors": refused.errors[:csvio.MAX_LISTED_ERRORS],
                "counts": sorted(((column, reason, count) for (_table, column, reason), count
                                  in refused.counts.items()), key=lambda item: (-item[2], item[0], item[1])),
                "at_confirm": at_confirm,
            }
        if pending is not None:
            new_rows = [change for change in outcome.samples if change.kind == "new"]
            context.update({
                "pending": pending,
                "outcome": outcome,
                "counts": f"{outcome.new:,} new, {outcome.changed:,} changed, {outcome.same:,} same",
                "header": header,
                "new_rows": [(change, [new for _column, _old, new in change.cells]) for change in new_rows],
                "changed_rows": [change for change in outcome.samples if change.kind == "changed"],
                "samples_cut": len(outcome.samples) < outcome.new + outcome.changed,
                "samples_shown": len(outcome.samples),
            })
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)


# Fast: the file is compressed once per preview and held for minutes; CSV still shrinks several times.
PENDING_COMPRESSION_LEVEL = 1


class OdsTabularInline(admin.TabularInline):
    """Base of our inlines: a foreign key's select takes its choices from one query per page. Django queries
    them again for every row's select (and the blank row's): a staff member's 27 certifications were 28
    queries of the certification list."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and db_field.name not in self.raw_id_fields:
            # Plain (key, label) pairs: every row's form deep-copies the field, choices included.
            formfield.choices = [(getattr(key, "value", key), label) for key, label in formfield.choices]
        return formfield


class ImportUploadForm(forms.Form):
    import_file = forms.FileField(label=_("CSV file"))


def sweep_pending_imports():
    """Delete the pending imports older than settings.ODS_ADMIN_IMPORT_PENDING_MINUTES (abandoned previews)."""
    cutoff = timezone.now() - dt.timedelta(minutes=settings.ODS_ADMIN_IMPORT_PENDING_MINUTES)
    PendingImport.objects.filter(created__lt=cutoff).delete()


def parse_token(text):
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


def read_upload(upload):
    """The uploaded file's bytes; the upload is closed (a temporary file is deleted) at once."""
    try:
        return b"".join(upload.chunks())
    finally:
        upload.close()


def size_label(size):
    """A byte count as a person reads it: 50 MB, 1.5 MB, 64 KB, 2,000 bytes."""
    mb, kb = 1024 * 1024, 1024
    if size >= mb:
        return f"{size // mb:,} MB" if size % mb == 0 else f"{size / mb:,.1f} MB"
    if size >= kb and size % kb == 0:
        return f"{size // kb:,} KB"
    return f"{size:,} bytes"


def too_big_message(file_name):
    return _(
        "%(file)s is bigger than the admin's import limit of %(limit)s (settings.ODS_ADMIN_IMPORT_MAX_BYTES): "
        "nothing was read or kept. Import bigger files with python manage.py import_ods."
    ) % {"file": file_name, "limit": size_label(settings.ODS_ADMIN_IMPORT_MAX_BYTES)}


def refused_upload(request):
    """The name of a file that ImportSizeLimitHandler dropped from this request, or None."""
    refused = getattr(request, "refused_uploads", None)
    return refused[0] if refused else None


class ImportSizeLimitHandler(FileUploadHandler):
    """The first of settings.FILE_UPLOAD_HANDLERS: an uploaded file over settings.ODS_ADMIN_IMPORT_MAX_BYTES
    is skipped before Django's handlers keep any of it (in memory or in a temporary file) when the request's
    length already says so, or as soon as its bytes pass the limit (what was kept is deleted). The rest of
    the body is read and dropped, so the other form fields (the CSRF token) still arrive and the import page
    can say why; `request.refused_uploads` names the skipped files. Requests without files (every other
    admin POST) never reach it."""

    # A body this much longer than the limit cannot hold a file under the limit (the rest is a few form
    # fields and multipart boundaries).
    FORM_BYTES = 64 * 1024

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.ODS_ADMIN_IMPORT_MAX_BYTES
        self.body_too_big = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_too_big = content_length > self.limit + self.FORM_BYTES

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.body_too_big or (self.content_length or 0) > self.limit:
            self.skip()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.skip()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler's file

    def skip(self):
        if self.request is not None:
            if not hasattr(self.request, "refused_uploads"):
                self.request.refused_uploads = []
            self.request.refused_uploads.append(self.file_name)
        raise SkipFile
