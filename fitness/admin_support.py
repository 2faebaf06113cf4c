"""Admin machinery shared by the 23 ODS tables.

- `EstimatedCountPaginator`: on PostgreSQL an unfiltered change list of a big
  table takes its row count from the planner statistics (pg_class.reltuples)
  instead of a full `COUNT(*)`.
- `OdsModelAdmin`: the base ModelAdmin. No full result count, no facets, the
  estimated paginator, CSV-only import/export through the ERD resources
  (formula-escaped by `csvio`; the export streams), an all-or-nothing import whose result page
  lists every bad row (row number, column, reason), and separate import and
  export permissions (django-import-export checks `<app>.import_<model>` and
  `<app>.export_<model>`; without them there is no button and the view is 403).
"""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV
from import_export.forms import ExportForm
from import_export.signals import post_export

from fitness import csvio
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
        """Stream the CSV straight from the database through csvio (the same
        bytes the resource would build, without holding millions of rows in a
        tablib Dataset), and send django-import-export's `post_export` signal."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in csvio.iter_table_csv(self.model, queryset)),
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

