"""Domain rules in plain Python over SQLModel. Never imports Reflex."""

# Registers the hook that keeps every ticket's due times (before each flush), whichever
# service is imported first.
from support_portal.services import service_levels as _service_levels  # noqa: F401
