"""The ERD's prefixed string ids: one prefix per table, zero-padded numbers.

This is the single registry of id formats. The seeder formats ids with it,
check_ods validates them with it (rule I2), and factories draw from it, so a
table's id form is defined exactly once.
"""
import re
from typing import NamedTuple


class IdFormat(NamedTuple):
    prefix: str
    width: int  # minimum digits; ids past 10**width - 1 simply grow longer

    def format(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.width}d}"

    @property
    def pattern(self) -> re.Pattern:
        return re.compile(rf"^{self.prefix}\d{{{self.width},}}$")

    def number(self, value: str) -> int:
        """The numeric part of an id of this format (ValueError if malformed)."""
        if not self.pattern.match(value or ""):
            raise ValueError(f"{value!r} is not a {self.prefix}{'9' * self.width} style id")
        return int(value[len(self.prefix):])


# Keyed by ERD table name (the db_table of each model).
ID_FORMATS: dict[str, IdFormat] = {
    "members": IdFormat("MEM", 6),
    "membershiptypes": IdFormat("MT", 3),
    "membermemberships": IdFormat("MSH", 8),
    "memberpayments": IdFormat("PAY", 8),
    "facilities": IdFormat("FAC", 3),
    "facilityareas": IdFormat("AR", 4),
    "memberaccess": IdFormat("ACC", 8),
    "classtypes": IdFormat("CT", 3),
    "classschedules": IdFormat("SCH", 4),
    "classinstances": IdFormat("INS", 7),
    "classenrollments": IdFormat("ENR", 8),
    "equipment": IdFormat("EQ", 5),
    "equipmentusage": IdFormat("USG", 8),
    "equipmentmaintenance": IdFormat("MNT", 6),
    "staff": IdFormat("STF", 4),
    "stafffacilities": IdFormat("ASG", 5),
    "staffschedules": IdFormat("SHF", 7),
    "stafftimetracking": IdFormat("TTR", 7),
    "staffpayroll": IdFormat("PRL", 6),
    "instructorcertifications": IdFormat("CERT", 3),
    "staffcertifications": IdFormat("SCR", 5),
    "instructorperformance": IdFormat("PRF", 5),
    "instructorfeedback": IdFormat("FBK", 7),
}


def format_id(table: str, number: int) -> str:
    return ID_FORMATS[table].format(number)
