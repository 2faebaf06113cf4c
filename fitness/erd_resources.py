"""django-import-export resources that speak the ODS CSV format of `csvio`.

Every ERD model gets one resource built by `erd_resource(model)`: one field per
ERD column (header = ERD column names in ERD order, foreign keys by id), each
cell written and read by `csvio`, so an admin export is byte-identical to
`csvio.export_table` and an admin import accepts what `export_ods` writes.

Row validation for the admin import page reports errors under the ERD column
names: malformed cells, field rules (`full_clean`: required, choices, lengths,
missing foreign keys) and every check constraint the row breaks.
"""
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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


class ErdModelResource(resources.ModelResource):
    """Base for the per-model resources; see `erd_resource`."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        model = type(instance)
        columns = csvio.field_columns(model)
        names = {f.attname: f.name for f in csvio.erd_fields(model)}
        errors = {}
        for key, error in (import_validation_errors or {}).items():
            errors.setdefault(columns.get(key, key), []).extend(_messages(error))
        exclude = {names.get(key, key) for key in (import_validation_errors or {})}
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=False)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                column = NON_FIELD_ERRORS if key == NON_FIELD_ERRORS else columns.get(key, key)
                errors.setdefault(column, []).extend(messages)
        if not errors:
            for column, reason in csvio.constraint_row_errors(instance):
                errors.setdefault(column, []).append(reason)
        if errors:
            raise ValidationError(errors)


def _messages(error):
    if isinstance(error, ValidationError):
        return error.messages
    if isinstance(error, (list, tuple)):
        return [m for item in error for m in _messages(item)]
    return [str(error)]


def erd_resource(model):
    """The import/export resource of one ERD model, named `<Model>Resource`."""
    attrs = {"__module__": model.__module__.replace(".models", ".resources")}
    names = []
    for field in csvio.erd_fields(model):
        attrs[field.attname] = fields.Field(
            attribute=field.attname,
            column_name=field.column,
            widget=ErdCellWidget(field),
            saves_null_values=True,
        )
        names.append(field.attname)
    attrs["Meta"] = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": tuple(names),
            "export_order": tuple(names),
            "import_id_fields": (model._meta.pk.attname,),
            "clean_model_instances": True,
            "skip_diff": True,
        },
    )
    return type(f"{model.__name__}Resource", (ErdModelResource,), attrs)
