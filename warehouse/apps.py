from django.apps import AppConfig


class WarehouseConfig(AppConfig):
    name = "warehouse"
    verbose_name = "Warehouse and analytics"
    default_auto_field = "django.db.models.BigAutoField"
