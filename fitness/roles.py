"""The chain's jobs as permission groups, and `setup_roles`, which makes the
database's groups match them (run by `python manage.py setup_roles` and by
`ensure_admin`).

Each role is a list of permissions ("<app>.<codename>"). Tables a role works
on get view/add/change; tables it only needs to look things up in (a member's
plan, a class's schedule, the facility of a shift) get view. Nobody gets
delete: the ODS keeps history, and a wrong row is corrected, not removed
(superusers still can). Health and contact fields and staff pay need their
own permissions (`fitness.core.permissions`); without them the admin hides
those columns, so a role that may see a table may still not see them.
"""
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from fitness.core.permissions import (
    DASHBOARD_PERMISSION,
    DATA_QUALITY_PERMISSION,
    MEMBER_HEALTH_PERMISSION,
    STAFF_PAY_PERMISSION,
)
from fitness.core.tables import ods_models

EDIT = ("view", "add", "change")
VIEW = ("view",)


def model_permissions(actions, *models):
    """["members.view_member", ...] for each action on each model ("members.member")."""
    return [f"{model.split('.')[0]}.{action}_{model.split('.')[1]}" for model in models for action in actions]


def every_ods_table(actions):
    """The actions on all 23 ERD tables."""
    return model_permissions(actions, *(model._meta.label_lower for model in ods_models()))


@dataclass(frozen=True)
class Role:
    name: str
    job: str
    permissions: tuple


# Front desk: signs members up, checks them in, books them into classes; looks up plans and classes.
FRONT_DESK = (
    *model_permissions(EDIT, "members.member", "facilities.memberaccess", "classes.classenrollment"),
    *model_permissions(VIEW, "members.membershiptype", "facilities.facility", "facilities.facilityarea",
                       "classes.classtype", "classes.classschedule", "classes.classinstance"),
)


def roles():
    """The roles, in the order setup_roles prints them. Group names are fixed: other code and people
    (browser tests, an operator adding a user to "Front desk") name them."""
    return (
        Role("Front desk", "members, check-ins and class enrollments; no pay, health or contact fields",
             FRONT_DESK),
        Role("Membership manager", "Front desk plus membership plans, periods and payments", (
            *FRONT_DESK,
            *model_permissions(EDIT, "members.membershiptype", "members.membermembership", "members.memberpayment"),
        )),
        Role("Facility manager", "facilities, areas, equipment, its use and maintenance, class timetables", (
            *model_permissions(EDIT, "facilities.facility", "facilities.facilityarea", "equipment.equipment",
                               "equipment.equipmentmaintenance", "classes.classtype", "classes.classschedule",
                               "classes.classinstance"),
            *model_permissions(VIEW, "equipment.equipmentusage", "facilities.memberaccess", "staff.staff",
                               "staff.staffschedule"),
        )),
        Role("HR and payroll", "staff, shifts, time tracking, payroll, certifications and reviews, with pay", (
            *model_permissions(EDIT, "staff.staff", "staff.stafffacility", "staff.staffschedule",
                               "staff.stafftimetracking", "staff.staffpayroll", "staff.instructorcertification",
                               "staff.staffcertification", "staff.instructorperformance"),
            *model_permissions(VIEW, "staff.instructorfeedback", "facilities.facility", "facilities.facilityarea",
                               "classes.classinstance"),
            STAFF_PAY_PERMISSION,
        )),
        Role("Analyst", "reads and exports every table (pay included, health and contact fields not), "
                        "the dashboard and the data quality page", (
            *every_ods_table(("view", "export")),
            STAFF_PAY_PERMISSION,
            "warehouse.view_etlbatch", DASHBOARD_PERMISSION,
            "fitness.view_qualityrun", DATA_QUALITY_PERMISSION,
        )),
        # An import file carries every column of its table and the preview shows the stored values it
        # would change, so the steward who loads members and payroll holds the health and pay rights.
        Role("Data steward", "imports and exports every table, sees the check_ods runs and the data quality "
                             "page", (
            *every_ods_table(("view", "import", "export")),
            MEMBER_HEALTH_PERMISSION, STAFF_PAY_PERMISSION,
            "fitness.view_qualityrun", DATA_QUALITY_PERMISSION,
        )),
    )


@dataclass(frozen=True)
class RoleOutcome:
    name: str
    created: bool
    added: tuple
    removed: tuple
    total: int

    def describe(self):
        """One line for setup_roles's output."""
        if self.created:
            return f"{self.name}: created with {self.total} permissions"
        if not (self.added or self.removed):
            return f"{self.name}: unchanged ({self.total} permissions)"
        changes = [f"+{name}" for name in self.added] + [f"-{name}" for name in self.removed]
        return f"{self.name}: updated ({self.total} permissions; {' '.join(changes)})"


class MissingPermissions(LookupError):
    """Permissions a role names that the database lacks (migrate has not run)."""


def permission_objects(names):
    """{"app.codename": Permission} for `names`; MissingPermissions names any absent one."""
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _app, codename in wanted},
            content_type__app_label__in={app for app, _codename in wanted},
        )
    }
    missing = sorted(".".join(key) for key in wanted - set(found))
    if missing:
        raise MissingPermissions(f"these permissions do not exist (run python manage.py migrate): {', '.join(missing)}")
    return {".".join(key): permission for key, permission in found.items() if key in wanted}


def set_up_role(role):
    """Create the role's group if needed and give it exactly the role's permissions."""
    wanted = permission_objects(role.permissions)
    group, created = Group.objects.get_or_create(name=role.name)
    current = {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in group.permissions.select_related("content_type")
    }
    added, removed = sorted(set(wanted) - current), sorted(current - set(wanted))
    if added or removed:
        group.permissions.set(wanted.values())
    return RoleOutcome(role.name, created, () if created else tuple(added), tuple(removed), len(wanted))


def setup_roles():
    """Make every role's group exist with exactly its permissions; one transaction. Returns the outcomes."""
    with transaction.atomic():
        return [set_up_role(role) for role in roles()]
