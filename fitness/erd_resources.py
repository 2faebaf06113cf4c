"""django-import-export resources that speak the ODS CSV format of `csvio`.

Every ERD model gets one resource built by `erd_resource(model)`: one field per ERD column (header = ERD
column names in ERD order, foreign keys by id), each cell written and read by `csvio`, so a resource's
export is byte-identical to `csvio.export_table` and it reads back what `export_ods` writes.

The admin names them in `resource_classes` for its export form (the export itself streams through
`copy_export`). The admin's import page does not use them: it reads files with the import engine
(`table_import`), which checks every row set-based. A resource's own `import_data` still works (the seed's
CSV files are read back through it in tests/seeding) but checks no more than the cells' syntax.
"""
from import_export import fields, resources, widgets

from fitness import csvio


class ErdCellWidget(widgets.Widget):
    """One ERD column's cell, formatted and parsed by csvio."""

    def __init__(self, model_field):
        super().__init__(coerce_to_string=True)
        self.model_field = model_field

    def clean(self, value, row=None, **kwargs):
        return csvio.parse_cell(self.model_field, "" if value is None else str(value))

    def render(self, value, obj=None, **kwargs):
        return csvio.format_cell(self.model_field, value)


def erd_resource(model):
    """The import/export resource of one ERD model, named `<Model>Resource`."""
    attrs = {"__module__": model.__module__.replace(".models", ".resources")}
    names = []
    for field in csvio.erd_fields(model):
        attrs[field.attname] = fields.Field(attribute=field.attname, column_name=field.column,
                                            widget=ErdCellWidget(field))
        names.append(field.attname)
    attrs["Meta"] = type("Meta", (), {
        "model": model,
        "fields": tuple(names),
        "export_order": tuple(names),
        "import_id_fields": (model._meta.pk.attname,),
        "skip_diff": True,
    })
    return type(f"{model.__name__}Resource", (resources.ModelResource,), attrs)
