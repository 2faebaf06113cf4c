"""CSV import/export resources:
Members, plans, membership periods and payments.

Each resource is built from the ODS CSV format (fitness.csvio): header = ERD
column names in ERD order, foreign keys by id."""
from fitness.erd_resources import erd_resource

from .models import (
    MembershipType,
    Member,
    MemberMembership,
    MemberPayment,
)


MembershipTypeResource = erd_resource(MembershipType)
MemberResource = erd_resource(Member)
MemberMembershipResource = erd_resource(MemberMembership)
MemberPaymentResource = erd_resource(MemberPayment)
