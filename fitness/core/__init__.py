"""The ground floor of the Fitness ODS: what every app may import.

Fields, ids, constraints, permissions, the ODS table registry, the one SQL
dialect, the business constants and calendar rules, the catalog and the
drawing helpers. Nothing here imports an app's models (a test keeps it so):
apps import core, never the other way round.
"""
