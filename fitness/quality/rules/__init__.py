"""The checks, one module per rule family of ods-rules.md. Importing this
package registers every rule in fitness.quality.registry.RULES."""
from . import classes, integrity, members, staff, visits  # noqa: F401
