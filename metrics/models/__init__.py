"""Usage metrics, NPS, support facts and health history (tenant schema: one copy per customer)."""

from .catalog import Feature
from .feedback import NpsResponse
from .health import HealthScore
from .support import SupportTicket, TicketSeverity, TicketStatus
from .usage import DailyUsage, RollupState, SeatCount, UsageEvent

__all__ = [
    "DailyUsage",
    "Feature",
    "HealthScore",
    "NpsResponse",
    "RollupState",
    "SeatCount",
    "SupportTicket",
    "TicketSeverity",
    "TicketStatus",
    "UsageEvent",
]
