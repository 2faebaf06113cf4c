"""Chain sizes seed_ods can simulate: named profiles plus per-run overrides."""
from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Profile:
    name: str
    facilities: int
    members: int
    staff: int

    def as_json(self):
        return asdict(self)


PROFILES = {
    "small": Profile("small", facilities=2, members=200, staff=24),
    "default": Profile("default", facilities=5, members=1000, staff=50),  # the seed's chain
    "chain": Profile("chain", facilities=50, members=50000, staff=500),
}


# The largest chain a run may simulate, option by option: twenty times the chain profile's members (memory
# grows with them: about 0.8 GB at the chain's 50,000), ten times its clubs and staff.
LIMITS = {"facilities": 500, "members": 1_000_000, "staff": 5_000}


def resolve_profile(name="default", *, facilities=None, members=None, staff=None) -> Profile:
    """The named profile with any explicit overrides applied; clear errors for bad sizes."""
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}")
    profile = PROFILES[name]
    overrides = {k: v for k, v in (("facilities", facilities), ("members", members), ("staff", staff)) if v is not None}
    for option, value in overrides.items():
        if not 1 <= value <= LIMITS[option]:
            raise ValueError(f"--{option} must be between 1 and {LIMITS[option]:,}, got {value:,}")
    profile = replace(profile, **overrides)
    # Every facility needs a manager, front desk, maintenance and instructors.
    if profile.staff < 8 * profile.facilities:
        raise ValueError(
            f"{profile.staff} staff cannot run {profile.facilities} facilities; give at least "
            f"{8 * profile.facilities} (8 per facility)"
        )
    return profile
