"""Model permissions for ODS tables: Django's four plus separate CSV import and
export rights (django-import-export checks `<app>.import_<model>` and
`<app>.export_<model>` with the codes set in settings)."""

ODS_PERMISSIONS = ("add", "change", "delete", "view", "import", "export")
