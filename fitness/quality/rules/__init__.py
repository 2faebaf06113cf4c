"""The checks, one module per rule family of ods-rules.md (places.py: S9, where the
chain lies; reference.py: catalog and geography lists as SQL). Importing this
package registers every rule in fitness.quality.registry.RULES."""
from . import classes, integrity, members, places, staff, visits  # noqa: F401
