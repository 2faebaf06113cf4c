"""Admin machinery shared by the 23 ODS tables.

- `EstimatedCountPaginator`: on PostgreSQL an unfiltered change list of a big
  table takes its row count from the planner statistics (pg_class.reltuples)
  instead of a full `COUNT(*)`.
- `OdsModelAdmin`: the base ModelAdmin. No full result count, no facets, the
  estimated paginator, CSV-only import/export through the ERD resources
  (formula-escaped by `csvio`; the export streams, through COPY on PostgreSQL), an all-or-nothing import whose result page
  lists every bad row (row number, column, reason), and separate import and
  export permissions (django-import-export checks `<app>.import_<model>` and
  `<app>.export_<model>`; without them there is no button and the view is 403).
"""
import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Max, Min
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV
from import_export.forms import ExportForm
from import_export.signals import post_export

from fitness import copy_export
from fitness.core.dialect import Dialect

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


class OdsModelAdmin(ImportExportModelAdmin):
    """Base admin for ODS tables: fast on millions of rows, CSV in and out."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    formats = [CSV]
    # A fixed set of columns: the header must be the ERD's, so no field picker.
    export_form_class = ExportForm
    import_error_display = ("message", "row")

    def export_action(self, request):
        """The export view (django-import-export's public hook): the same
        permission check, change-list queryset and format form as the package's
        own view, but a valid form is answered by `csv_export_response`, which
        streams. The package's response would hold the whole file in memory.
        There is no "export selected" admin action, so no `export_items`."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        queryset = self.get_export_queryset(request)  # keeps the change list's filters and search
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
            copy_export.table_csv_chunks(self.model, queryset),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.model._meta.db_table}.csv"'
        post_export.send(sender=None, model=self.model)
        return response

    def get_import_data_kwargs(self, **kwargs):
        """Roll back on row validation errors too, not only on exceptions."""
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result, request):
        """After the confirmed import: if anything went wrong (e.g. a row changed
        between preview and confirm) nothing was saved; show the errors again
        instead of a success message."""
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, _("Import refused, nothing was saved. Fix the rows listed below."))
            context = self.admin_site.each_context(request)
            context.update(
                {
                    "title": _("Import"),
                    "opts": self.model._meta,
                    "result": result,
                    "form": self.create_import_form(request),
                    "import_error_display": self.import_error_display,
                    "fields_list": [],
                }
            )
            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

