"""CloudEvents 1.0 in structured mode: the whole event is one JSON object in the Kafka record value.

Every event type is a subclass of `CloudEvent` that fixes `type` to a literal and `data` to its own
model, so a topic can be read as a pydantic discriminated union on `type`.
"""

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue

from contracts.fields import Text

CONTENT_TYPE = "application/cloudevents+json"
#: The event type as a header, so tools can filter without parsing the value. Not `ce_type`: a `ce_`
#: header means binary mode to the CloudEvents Kafka binding, and these records are structured.
TYPE_HEADER = "eiso-type"
SCHEMA_URN_PREFIX = "urn:eiso:schema:"


class EventError(ValueError):
    """A Kafka record that is not a valid eiso event; the message says why, for the dead-letter topic."""


class EventData(BaseModel):
    """Base of every `data` payload.

    Unknown fields are ignored rather than refused: additive changes keep the event type
    (docs/architecture.md, "Contracts"), so an older consumer must accept a newer producer's extra fields.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")


class CloudEvent(BaseModel):
    """The CloudEvents 1.0 envelope with eiso's two extensions, `correlationid` and `causationid`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    #: Read off each concrete event class's `type` literal; names its schema and `dataschema`.
    event_type: ClassVar[str] = ""
    #: The field of `data` that must equal `subject` (the agency the event is about, the Kafka key).
    subject_field: ClassVar[str | None] = None
    #: The envelope field whose value, UTF-8, is the Kafka record key: one declaration for the AsyncAPI
    #: key binding (`contracts.generate`) and the runtime (`kafka_key`: what producers key by, what a
    #: consumer compares a record's key with). The subject for every type today: the agency code, or the
    #: session id for session events (`data.session_id`), so each agency's (each session's) events stay
    #: on one partition, in order.
    key_field: ClassVar[str] = "subject"

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID = Field(description="Created once, when the event is written to the outbox.")
    source: Text = Field(
        min_length=1, max_length=256, description="URI-reference of the producing service or system."
    )
    type: str
    time: AwareDatetime = Field(description="When the fact happened, RFC 3339, UTC.")
    subject: Text = Field(min_length=1, max_length=64, description="The agency code; also the Kafka key.")
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: Text | None = Field(default=None, max_length=256)
    correlationid: Text | None = Field(default=None, max_length=128)
    causationid: Text | None = Field(default=None, max_length=128)
    data: EventData

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Read `event_type` off the subclass's `type: Literal[...]`, so it is written once."""
        super().__pydantic_init_subclass__(**kwargs)
        literal = get_args(cls.model_fields["type"].annotation)
        if literal:
            cls.event_type = literal[0]

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        try:
            return value.astimezone(UTC)
        except OverflowError:  # 9999-12-31T23:59:59-05:00 is past the last instant Python has
            raise ValueError("is outside the years a date can have") from None

    @model_validator(mode="after")
    def _subject_is_the_agency(self) -> "CloudEvent":
        if self.subject_field and getattr(self.data, self.subject_field) != self.subject:
            raise ValueError(f"subject must equal data.{self.subject_field}")
        return self

    @field_serializer("time")
    def _rfc3339(self, value: datetime) -> str:
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def kafka_key(self) -> str:
        """The Kafka record key of this event (see `key_field`)."""
        return str(getattr(self, self.key_field))

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """Publish what a producer must send: `specversion` and `type` are required (CloudEvents 1.0)
        although the model fills them in, and `time` is an RFC 3339 `date-time` although its
        serializer (which writes `Z`) hides that from pydantic's serialization-mode schema."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        properties = schema["properties"]
        must = set(schema.get("required", ())) | {"specversion", "type"}
        schema["required"] = [name for name in properties if name in must]
        for name in ("specversion", "type"):
            properties[name].pop("default", None)
        properties["time"]["format"] = "date-time"
        return schema

    @classmethod
    def create(
        cls,
        *,
        source: str,
        subject: str,
        data: Any,
        time: datetime,
        correlationid: str | None = None,
        causationid: str | None = None,
        event_id: uuid.UUID | None = None,
    ) -> "CloudEvent":
        """A new event; correlation defaults to the event itself (a new conversation).

        The id is fresh unless given: an event derived only from other events can take a deterministic
        id (`derived_id`), so that rebuilding a service from the topics re-creates the same ids, which
        consumers already hold in their inboxes.
        """
        event_id = event_id or new_event_id()
        return cls(
            id=event_id,
            source=source,
            type=cls.event_type,
            time=time,
            subject=subject,
            dataschema=f"{SCHEMA_URN_PREFIX}{cls.event_type}",
            correlationid=correlationid or str(event_id),
            causationid=causationid,
            data=data,
        )


def new_event_id() -> uuid.UUID:
    return uuid.uuid4()


#: Namespace of derived event ids (UUID v5).
EISO_NAMESPACE = uuid.UUID("5c0b7a52-2f3e-4c8e-9b1d-1e150a0e1500")


def derived_id(*parts: object) -> uuid.UUID:
    """The same id for the same parts, every time: for events that are pure functions of others."""
    return uuid.uuid5(EISO_NAMESPACE, "\x1f".join(str(p) for p in parts))


def to_json(event: CloudEvent) -> bytes:
    """The Kafka record value of `event` (structured mode, UTF-8, no nulls)."""
    return event.model_dump_json(exclude_none=True).encode()
