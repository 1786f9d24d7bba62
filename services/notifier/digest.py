"""The text of one batch, free of I/O: a message's own template, or a digest listing each reason."""

from collections.abc import Sequence

from services.notifier.lifecycle import Message
from services.notifier.templates import Rendered, Templates


def render(templates: Templates, batch: Sequence[Message]) -> Rendered:
    """The message for a batch: its own template, or a digest listing each reason — with as many
    items as fit in the allowed SMS parts, the rest counted."""
    first = batch[0]
    context = first.context | {"recipient": first.recipient_name}
    if len(batch) == 1:
        return templates.render(first.reason, context)
    items = [templates.item(m.reason, m.context | {"recipient": ""}) for m in batch]
    shown = len(items)
    while True:
        listed = items[:shown] + ([f"va {len(items) - shown} viec khac"] if shown < len(items) else [])
        rendered = templates.render("digest", context | {"items": listed})
        if rendered.sms_segments.count <= templates.max_segments or shown == 1:
            return rendered
        shown -= 1
