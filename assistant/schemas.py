"""Request and response shapes. The request models validate input; all of them feed /api/openapi.json."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from .auth.schemas import AuthStatus
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator, model_validator

ID_PATTERN = r"^[0-9a-f]{32}$"


def _id_of(what: str):
    def check(value: str) -> str:
        if not re.fullmatch(ID_PATTERN, value):  # said in words: a regular expression means nothing to a user
            raise ValueError(f"this is not a {what} id (32 lowercase hex characters)")
        return value
    return check


# The pattern stays in the OpenAPI document; the check itself gives a readable message.
ConversationId = Annotated[str, AfterValidator(_id_of("conversation")), WithJsonSchema({"type": "string", "pattern": ID_PATTERN})]
MessageId = Annotated[str, AfterValidator(_id_of("message")), WithJsonSchema({"type": "string", "pattern": ID_PATTERN})]
AttachmentId = Annotated[str, AfterValidator(_id_of("attachment")), WithJsonSchema({"type": "string", "pattern": ID_PATTERN})]
MAX_ATTACHMENTS = 10  # per message


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- chat ---------------------------------------------------------------------------------------
class ChatRequest(Strict):
    # `regenerate` comes first: whether `message` may be empty depends on it
    regenerate: bool = Field(False, description="A new version of the last reply on the path (of `parent_id`, if given); "
                             "no new message.")
    message: str = Field("", validate_default=True, description="The user's message (markdown welcome). Required unless `regenerate`.")
    conversation_id: ConversationId | None = Field(None, description="Continue this conversation; omit to start one.")
    system: str | None = Field(None, max_length=8000, description="Optional system prompt; kept with the conversation.")
    parent_id: MessageId | None = Field(None, description="Continue from this message: the last one on the path the person "
                                        "sees (after flipping versions). Default: the path last written to.")
    edit_of: MessageId | None = Field(None, description="Send `message` as a new version of this earlier question; the "
                                      "conversation goes on from it (earlier versions are kept).")
    model: str | None = Field(None, min_length=1, max_length=200, description="One of GET /api/models; kept with the "
                              "conversation (later messages use it too). Default: the conversation's, else the server's.")
    attachments: list[AttachmentId] = Field(default_factory=list, max_length=MAX_ATTACHMENTS, description="Ids from POST "
                                            "/api/attachments sent with this message; they join the conversation, and later "
                                            "questions in it keep using them.")

    @field_validator("message")
    @classmethod
    def _message(cls, value: str, info: ValidationInfo) -> str:
        if not value and not info.data.get("regenerate"):
            raise ValueError("this field is required (it may be empty only with `regenerate`)")
        limit = (info.context or {}).get("max_message_chars")
        if limit and len(value) > limit:
            raise ValueError(f"the message is {len(value)} characters long; the limit is {limit} (MAX_MESSAGE_CHARS)")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> ChatRequest:
        if self.regenerate and self.edit_of:
            raise ValueError("send either `regenerate` or `edit_of`, not both")
        if self.regenerate and self.attachments:
            raise ValueError("attachments go with a new message, not with `regenerate`")
        if len(set(self.attachments)) != len(self.attachments):
            raise ValueError("an attachment is listed twice")
        return self


class UsageOut(BaseModel):
    input_tokens: int | None
    output_tokens: int | None


class Citation(BaseModel):
    attachment_id: str
    filename: str
    page: int = Field(description="1-based page (1 for text files and recordings).")
    quote: str = Field(description="The passage's sentence closest to the answer.")


class AssistantMessage(BaseModel):
    id: str
    role: Literal["assistant"]
    content: str
    citations: list[Citation] = Field(default_factory=list, description="The attached files' passages the answer drew on.")


class ChatResponse(BaseModel):
    conversation_id: str
    user_message_id: str = Field(description="The question this reply answers (the new one, or the one regenerated).")
    message: AssistantMessage
    engine: str
    model: str
    usage: UsageOut


# --- conversations ------------------------------------------------------------------------------
class SearchMatch(BaseModel):
    field: Literal["title", "message"]
    text: str = Field(description="An excerpt around the first match.")
    ranges: list[list[int]] = Field(description="[start, end) of each matching word in `text`, for highlighting.")


class ConversationSummary(BaseModel):
    id: str
    title: str
    updated_at: datetime
    message_count: int
    match: SearchMatch | None = Field(None, description="With `q`: where the words were found.")


class ConversationList(BaseModel):
    conversations: list[ConversationSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class RenameRequest(Strict):
    title: str = Field(min_length=1, max_length=200, description="The new title.")


class RenamedConversation(BaseModel):
    id: str
    title: str
    updated_at: datetime


class AttachedFile(BaseModel):
    id: str
    filename: str
    mime_type: str


class MessageOut(BaseModel):
    id: str
    role: Literal["user", "assistant"]
    content: str
    created_at: datetime
    status: Literal["complete", "incomplete"] = Field(description="`incomplete`: the reply was cut short (upstream error or client gone).")
    engine: str | None = None
    model: str | None = None
    parent_id: str | None = Field(description="The message this one follows; null for the first.")
    versions: list[str] = Field(description="Ids of this message's versions (itself included), oldest first.")
    attachments: list[AttachedFile] = Field(default_factory=list, description="Files sent with this message.")
    citations: list[Citation] = Field(default_factory=list, description="A reply's sources among the attached files.")


class ConversationOut(BaseModel):
    id: str
    title: str
    system: str | None
    created_at: datetime
    updated_at: datetime
    current_leaf_id: str | None = Field(description="The last message of the path shown.")
    model: str | None = Field(None, description="The model picked for this conversation; null: the server's default.")
    messages: list[MessageOut] = Field(description="The path being viewed, first to last.")


# --- models -------------------------------------------------------------------------------------
class ModelChoice(BaseModel):
    id: str
    engine: str = Field(description="`gemini`, `openai` or `local`.")
    label: str
    default: bool


class ModelList(BaseModel):
    models: list[ModelChoice] = Field(description="What the active engine offers (ALLOWED_MODELS applied), the default first.")


# --- share links ----------------------------------------------------------------------------------
class ShareRequest(Strict):
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="Omit for a link that works until revoked.")
    at: MessageId | None = Field(None, description="Share the path through this message (default: the one last written to).")


class ShareOut(BaseModel):
    id: str
    url: str = Field(description="The web app's page for this link.")
    conversation_id: str
    title: str
    created_at: datetime
    expires_at: datetime | None


class ShareList(BaseModel):
    shares: list[ShareOut]


class SharedMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str
    status: Literal["complete", "incomplete"]
    created_at: str


class SharedConversation(BaseModel):
    title: str
    shared_at: datetime
    expires_at: datetime | None
    messages: list[SharedMessage]


# --- health -------------------------------------------------------------------------------------
class CapabilityOut(BaseModel):
    available: bool
    engine: str
    reason: str | None = None
    detail: str | None = Field(None, description="Which build serves it (e.g. the Tesseract in use).")


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    capabilities: dict[str, CapabilityOut]
    auth: AuthStatus


# --- image generation ---------------------------------------------------------------------------
AspectRatio = Literal["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]  # what Gemini's image models accept


class ImageGenerateRequest(Strict):
    prompt: str = Field(min_length=1, max_length=4000, description="What to draw.")
    aspect_ratio: AspectRatio = Field("1:1", description="Width:height of the picture.")


class GeneratedImageOut(BaseModel):
    mime_type: str = Field(description="Usually `image/png`.")
    data: str = Field(description="The image bytes, base64-encoded.")


class ImageGenerateResponse(BaseModel):
    images: list[GeneratedImageOut]
    engine: str
    model: str


# --- PDF export ---------------------------------------------------------------------------------
MAX_EXPORT_CHARS = 600_000  # about four 500-message conversations (~10 s of one core): longer would hold a worker too long


class ExportPdfRequest(Strict):
    """Either markdown `content` (with optional `images`) or a saved `conversation_id`."""

    title: str | None = Field(None, max_length=200, description="Document title; for a conversation, defaults to its title.")
    content: str | None = Field(None, max_length=MAX_EXPORT_CHARS, description="Markdown: headings, emphasis, lists, links, code, tables.")
    images: list[str] = Field(default_factory=list, max_length=20, description="Images to embed after the text: base64, or `data:image/…;base64,` URLs.")
    conversation_id: ConversationId | None = Field(None, description="Export this saved conversation instead of `content`.")

    @model_validator(mode="after")
    def _one_source(self) -> ExportPdfRequest:
        if self.conversation_id is not None:
            if self.content is not None or self.images:
                raise ValueError("send either `conversation_id` or `content`/`images`, not both")
        elif not self.content and not self.images:
            raise ValueError("there is nothing to export: send non-empty `content` (markdown), `images`, or a `conversation_id`")
        return self


# --- voice --------------------------------------------------------------------------------------
class TranscriptSegment(BaseModel):
    start: float = Field(description="Seconds from the beginning of the recording.")
    end: float
    text: str


class TranscriptionResponse(BaseModel):
    text: str = Field(description="Everything said; empty when the recording is silent.")
    language: str | None = Field(description="ISO 639-1 code of the speech (`en`), or null when unknown.")
    duration_seconds: float = Field(description="Length of the decoded recording.")
    engine: str = Field(description="`local` (faster-whisper, offline) or `gemini`.")
    model: str
    segments: list[TranscriptSegment]


# --- upload (Image to Text) ---------------------------------------------------------------------
class UploadForm(Strict):
    """The multipart fields beside `file`."""

    prompt: str | None = Field(None, max_length=4000, description="What to ask about the file; default: describe and summarise it.")
    analyze: bool = Field(True, description="`false` returns the extracted text alone, without the AI analysis.")


class UploadPage(BaseModel):
    number: int = Field(description="1-based page number.")
    text: str
    method: Literal["text", "ocr"] = Field(description="`text`: the PDF's own text layer; `ocr`: read from the page's picture.")


class ImageColour(BaseModel):
    hex: str
    name: str
    share: float = Field(description="Fraction of the image (0-1).")


class ImageFacts(BaseModel):
    format: str
    width: int
    height: int
    mode: str
    frames: int
    dominant_colours: list[ImageColour]
    exif: dict[str, str | int | bool] = Field(description="Camera, dates, exposure; only whether a GPS position exists, never the position.")


class UploadDocument(BaseModel):
    filename: str = Field(description="The name the file was uploaded with (display only).")
    mime_type: str = Field(description="The type found from the content, whatever the name says.")
    pages: list[UploadPage]
    text: str = Field(description="All pages' text, separated by blank lines.")
    ocr_engine: Literal["tesseract", "gemini"] | None = Field(description="What read the `ocr` pages; null when none needed OCR.")
    image: ImageFacts | None = Field(description="Facts about an uploaded image; null for PDFs.")


class UploadAnalysis(BaseModel):
    text: str
    engine: str = Field(description="`gemini` (saw the image itself), `local` (offline) or `openai`.")
    model: str
    offline: bool = Field(description="True when the embedded offline model wrote it from the extracted text and image facts.")
    notice: str | None = Field(description="Says what the model based the analysis on when it did not see the image.")
    usage: UsageOut


class UploadResponse(BaseModel):
    document: UploadDocument
    analysis: UploadAnalysis | None = Field(description="Null when `analyze=false`.")


# --- attachments (chat with files) ---------------------------------------------------------------
class AttachmentOut(BaseModel):
    id: str
    filename: str = Field(description="The name the file was uploaded with (display only).")
    mime_type: str = Field(description="The type found from the content, whatever the name says.")
    size: int = Field(description="Bytes.")
    status: Literal["processing", "ready", "failed", "empty"] = Field(
        description="`processing`: being read; `ready`; `failed` (see `error`); `empty`: no text could be read from it.")
    pages: int | None = Field(None, description="PDFs and images: the number of pages.")
    duration_seconds: float | None = Field(None, description="Recordings: their length.")
    error: str | None = Field(None, description="Why it failed, in words.")
    conversation_id: str | None = Field(None, description="The conversation it was sent in; null until sent.")
    created_at: datetime


class AttachmentCreated(BaseModel):
    attachment: AttachmentOut


class AttachmentPage(BaseModel):
    number: int
    text: str
    method: Literal["text", "ocr", "transcript"] = Field(description="The text layer, OCR, or a transcript of a recording.")


class AttachmentWithText(AttachmentOut):
    text: list[AttachmentPage] = Field(description="The extracted text per page (empty while processing).")


class AttachmentDetail(BaseModel):
    attachment: AttachmentWithText


# --- errors -------------------------------------------------------------------------------------
class ErrorBody(BaseModel):
    code: str = Field(description="Stable snake_case code, e.g. `invalid_request`, `upstream_timeout`.")
    message: str = Field(description="A sentence a user understands.")
    details: object | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody
