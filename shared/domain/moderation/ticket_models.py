"""Shapes of support tickets (tickets.py)."""

from __future__ import annotations

from typing import Annotated, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.moderation.documents import TicketCategory, TicketPriority, TicketStatus

CATEGORIES: tuple[TicketCategory, ...] = get_args(TicketCategory)
TICKET_ID_PATTERN = r"^tk_[0-9a-f]{24}$"
MAX_PAGE = 100


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: TicketCategory = "other"
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=200)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=5000)]
    priority: TicketPriority = "medium"


class TicketReplyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class TicketAdminUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: TicketStatus | None = None
    priority: TicketPriority | None = None
    assigned_to: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")] | None = Field(
        default=None, description="An administrator's id.")
    unassign: bool = False
    reopen: bool = Field(default=False, description="A resolved or closed ticket is open again.")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    admin_response: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)] | None = \
        Field(default=None, description="Added to the thread as an administrator's reply.")


class TicketMessageView(BaseModel):
    id: str
    user_id: str
    username: str | None
    is_admin: bool
    message: str
    created_at: str


class TicketMessagePage(BaseModel):
    items: list[TicketMessageView]
    next_cursor: str | None


class TicketView(BaseModel):
    id: str
    user_id: str
    username: str | None
    category: TicketCategory
    subject: str
    description: str
    priority: TicketPriority
    status: TicketStatus
    assigned_to: str | None
    reply_count: int
    created_at: str
    updated_at: str
    closed_at: str | None = None


class TicketDetail(TicketView):
    messages: list[TicketMessageView] = Field(description="The thread, oldest first (its first page).")
    messages_next_cursor: str | None = Field(description="More of the thread: GET /api/tickets/{id}/messages.")


class TicketPage(BaseModel):
    items: list[TicketView]
    next_cursor: str | None


class TicketListQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=4000)


class AdminTicketQuery(TicketListQuery):
    status: TicketStatus | None = None
    category: TicketCategory | None = None
    priority: TicketPriority | None = None
    assigned_to: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")] | None = None


class TicketPath(BaseModel):
    ticket_id: str = Field(pattern=TICKET_ID_PATTERN)


class TicketCategoryList(BaseModel):
    categories: list[TicketCategory]
    priorities: list[TicketPriority]
