"""Request and response shapes. The request models validate input; all of them feed /api/openapi.json."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

ID_PATTERN = r"^[0-9a-f]{32}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- chat ---------------------------------------------------------------------------------------
class ChatRequest(Strict):
    message: str = Field(min_length=1, description="The user's message (markdown welcome).")
    conversation_id: str | None = Field(None, pattern=ID_PATTERN, description="Continue this conversation; omit to start one.")
    system: str | None = Field(None, max_length=8000, description="Optional system prompt; kept with the conversation.")

    @field_validator("message")
    @classmethod
    def _not_too_long(cls, value: str, info: ValidationInfo) -> str:
        limit = (info.context or {}).get("max_message_chars")
        if limit and len(value) > limit:
            raise ValueError(f"the message is {len(value)} characters long; the limit is {limit} (MAX_MESSAGE_CHARS)")
        return value


class UsageOut(BaseModel):
    input_tokens: int | None
    output_tokens: int | None


class AssistantMessage(BaseModel):
    id: str
    role: Literal["assistant"]
    content: str


class ChatResponse(BaseModel):
    conversation_id: str
    message: AssistantMessage
    engine: str
    model: str
    usage: UsageOut


# --- conversations ------------------------------------------------------------------------------
class ConversationSummary(BaseModel):
    id: str
    title: str
    updated_at: datetime
    message_count: int


class ConversationList(BaseModel):
    conversations: list[ConversationSummary]


class MessageOut(BaseModel):
    id: str
    role: Literal["user", "assistant"]
    content: str
    created_at: datetime
    status: Literal["complete", "incomplete"] = Field(description="`incomplete`: the reply was cut short (upstream error or client gone).")
    engine: str | None = None


class ConversationOut(BaseModel):
    id: str
    title: str
    system: str | None
    created_at: datetime
    updated_at: datetime
    messages: list[MessageOut]


# --- health -------------------------------------------------------------------------------------
class CapabilityOut(BaseModel):
    available: bool
    engine: str
    reason: str | None = None


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    capabilities: dict[str, CapabilityOut]


# --- errors -------------------------------------------------------------------------------------
class ErrorBody(BaseModel):
    code: str = Field(description="Stable snake_case code, e.g. `invalid_request`, `upstream_timeout`.")
    message: str = Field(description="A sentence a user understands.")
    details: object | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody
