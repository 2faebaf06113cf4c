"""CSV import/export resources:
Equipment, usage sessions and maintenance.

Each resource is built from the ODS CSV format (fitness.csvio): header = ERD
column names in ERD order, foreign keys by id."""
from fitness.erd_resources import erd_resource

from .models import (
    Equipment,
    EquipmentUsage,
    EquipmentMaintenance,
)


EquipmentResource = erd_resource(Equipment)
EquipmentUsageResource = erd_resource(EquipmentUsage)
EquipmentMaintenanceResource = erd_resource(EquipmentMaintenance)
