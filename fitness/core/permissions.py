"""Model permissions for ODS tables: Django's four plus separate CSV import and
export rights (django-import-export checks `<app>.import_<model>` and
`<app>.export_<model>` with the codes set in settings).

Some columns need a right of their own on top of the table's: health and
contact details of members, and staff pay. A user without it never sees those
columns in the admin (forms, lists, filters, search, CSV export) and cannot
import their table (`fitness.admin_support.FieldPermissionMixin` applies it).
The rights are custom permissions in the models' Meta (so rows of
auth_permission, created by `migrate` on every database; no column changes).
The roles that hold them are in `fitness/roles.py`.
"""

from django.core.exceptions import FieldDoesNotExist

ODS_PERMISSIONS = ("add", "change", "delete", "view", "import", "export")

# (codename, name) pairs for the models' Meta.permissions; the full names below are "<app>.<codename>".
MEMBER_HEALTH = ("view_member_health", "Can view members' health and contact fields")
STAFF_PAY = ("view_pay", "Can view staff pay (hourly rates, payroll amounts)")
DASHBOARD = ("view_dashboard", "Can view the analytics dashboard")
DATA_QUALITY = ("view_data_quality", "Can view the data quality page")

MEMBER_HEALTH_PERMISSION = "members." + MEMBER_HEALTH[0]
STAFF_PAY_PERMISSION = "staff." + STAFF_PAY[0]
DASHBOARD_PERMISSION = "warehouse." + DASHBOARD[0]
DATA_QUALITY_PERMISSION = "fitness." + DATA_QUALITY[0]

PAYROLL_AMOUNTS = ("regular_pay", "overtime_pay", "bonuses", "deductions", "gross_pay", "net_pay")

# {model label: {field name: the permission needed to see it}}. Hours worked stay visible (shift
# planning needs them); member-side money (payments, class prices) is not pay.
PROTECTED_FIELDS = {
    "members.member": {
        field: MEMBER_HEALTH_PERMISSION
        for field in ("date_of_birth", "emergency_contact", "emergency_phone", "medical_alerts")
    },
    "staff.staff": {"hourly_rate": STAFF_PAY_PERMISSION},
    "staff.staffpayroll": {field: STAFF_PAY_PERMISSION for field in PAYROLL_AMOUNTS},
}


def protected_fields(model) -> dict:
    """{field name: permission} of `model`'s columns that need a right of their own."""
    return PROTECTED_FIELDS.get(model._meta.label_lower, {})


def hidden_fields(model, user) -> set:
    """The names of `model`'s fields that `user` may not see (none for a superuser)."""
    return {name for name, permission in protected_fields(model).items() if not user.has_perm(permission)}


def lookup_is_hidden(model, lookup, user) -> bool:
    """True if the admin lookup path `lookup` ("medical_alerts__icontains", "member__date_of_birth") reads
    a field `user` may not see, on `model` or on a model it reaches through relations."""
    for part in lookup.split("__"):
        if part in hidden_fields(model, user):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:  # a transform or lookup ("icontains", "year"): the path has no more fields
            return False
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False
