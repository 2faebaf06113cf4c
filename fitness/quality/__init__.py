"""check_ods: data-quality and integrity checks of the ODS.

`run_checks(...)` runs every business rule of ods-rules.md (ids I1-I3, M1-M9,
V1-V9, C1-C7, S1-S9) as set-based SQL on SQLite or PostgreSQL, profiles the
tables, and returns (and saves) a JSON-ready result document. The exact
definition each rule checks is its `description` (see `RULES`). On PostgreSQL,
outside a transaction, the rules run on several connections at once.
"""
from .registry import RULES, ordered_rule_ids
from .report import QualityCheckError, exit_status, run_checks, select_rules

__all__ = ["RULES", "QualityCheckError", "exit_status", "ordered_rule_ids", "run_checks", "select_rules"]
