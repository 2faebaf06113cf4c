"""CSV import/export resources:
Facilities, their areas and member check-ins.

Each resource is built from the ODS CSV format (fitness.csvio): header = ERD
column names in ERD order, foreign keys by id."""
from fitness.erd_resources import erd_resource

from .models import (
    Facility,
    FacilityArea,
    MemberAccess,
)


FacilityResource = erd_resource(Facility)
FacilityAreaResource = erd_resource(FacilityArea)
MemberAccessResource = erd_resource(MemberAccess)
