"""structlog JSON logs on stdout, with personal data masked before anything is written.

Contacts are personal data (Decree 13/2023/NĐ-CP): phones keep their last 3 digits, e-mails their
first letter and domain. Masking is a processor, so no call site can forget it; it also strips CR/LF
so user input cannot forge a log line.
"""

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

# Vietnamese phone numbers in their usual spellings: 0912345678, +84912345678, 84 912 345 678, 0912.345.678
_PHONE = re.compile(r"(?<![\w])(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")
_SECRET_KEYS = re.compile(r"pass|secret|token|api_?key|authorization", re.IGNORECASE)
#: Machine-made values that may hold digit runs shaped like phones (UUIDs, offsets): never masked.
_TRUSTED_KEYS = frozenset(
    {"event_id", "correlation_id", "causation_id", "request_id", "timestamp", "service", "level"}
)


def mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return f"***{digits[-3:]}"


def mask_text(text: str) -> str:
    """Mask phones and e-mails in free text and flatten line breaks."""
    text = _EMAIL.sub(r"\1***@\2", text)
    text = _PHONE.sub(mask_phone, text)
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _mask_value(key: str, value: Any) -> Any:
    if _SECRET_KEYS.search(key):
        return "***"
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: _mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(key, v) for v in value]
    return value


def mask_personal_data(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    event_dict.pop("color_message", None)  # uvicorn's ANSI twin of "event"
    for key in list(event_dict):
        if key in _TRUSTED_KEYS:
            continue
        if key == "exception":
            # A traceback is multi-line by design; still mask what it quotes.
            event_dict[key] = _EMAIL.sub(r"\1***@\2", _PHONE.sub(mask_phone, str(event_dict[key])))
        else:
            event_dict[key] = _mask_value(key, event_dict[key])
    return event_dict


def configure_logging(service: str, level: str = "INFO", fmt: str = "json") -> None:
    """JSON to stdout (console renderer on a TTY when fmt="auto"); stdlib and aiokafka go through it."""
    console = fmt == "console" or (fmt == "auto" and sys.stdout.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        mask_personal_data,
    ]
    renderer: Any = (
        structlog.dev.ConsoleRenderer() if console else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "uvicorn.access", "alembic", "faststream"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)
