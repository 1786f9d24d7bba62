"""Text as eiso takes it, in events and in requests: nothing a person cannot see (contracts.fields)."""

import json
from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from contracts.fields import Paragraph, Text, clean_line
from contracts.generate import schema_files
from services.common.vietnamese import search_key


class Sample(BaseModel):
    name: Text = Field(min_length=1, max_length=60)
    notes: Paragraph | None = None


@pytest.mark.parametrize(
    ("raw", "position", "char"),
    [
        ("An\x00Phú", 3, "U+0000"),
        ("\x1b[31mđỏ", 1, "U+001B"),
        ("a\x85b", 2, "U+0085"),
        ("x\x7f", 2, "U+007F"),
    ],
)
def test_control_characters_are_refused_naming_the_character_and_where(
    raw: str, position: int, char: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        Sample(name=raw)
    [error] = refused.value.errors()
    assert error["loc"] == ("name",) and error["type"] == "text"
    assert error["msg"] == f"contains a control character ({char}) at position {position}"


def test_an_unpaired_surrogate_is_refused() -> None:
    """Python's JSON reader (what parse_event uses) lets `\\ud800` through; it cannot be stored."""
    with pytest.raises(ValidationError):
        Sample.model_validate(json.loads('{"name": "a\\ud800b"}'))
    with pytest.raises(ValueError, match=r"unpaired surrogate \(U\+D800\) at position 2"):
        clean_line("a\ud800b")


def test_invisible_characters_are_stripped_and_the_text_put_in_nfc() -> None:
    decomposed = "Ho\u0300a Thua\u0302\u0323n"  # NFD, as some keyboards write it
    assert Sample(name=f"\ufeffUBND\u200b  xã \u202e{decomposed}\u202c").name == "UBND xã Hòa Thuận"
    assert search_key("Hòa\u200d Thuận") == search_key("Hoa Thuan") == "hoa thuan"


def test_a_text_with_nothing_visible_is_refused() -> None:
    for blank in ("\u200b", "\u3164\u2060", "\u202e\u202c"):
        with pytest.raises(ValidationError, match="has no visible character"):
            Sample(name=blank)


def test_a_paragraph_keeps_its_lines_and_refuses_other_controls() -> None:
    assert Sample(name="x", notes="  dòng một\n\tdòng hai\r\n").notes == "dòng một\n\tdòng hai"
    with pytest.raises(ValidationError, match=r"U\+0000"):
        Sample(name="x", notes="một\x00hai")
    assert clean_line("một\r\n\thai\u2028ba") == "một hai ba", "in one line, line breaks are spaces"


def strings_without_a_rule(node: Any, path: str = "") -> list[str]:
    """Every string in a JSON Schema that no pattern, format, enum or const constrains."""
    found = []
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(node):
            found.append(path)
        for key, value in node.items():
            found += strings_without_a_rule(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += strings_without_a_rule(value, f"{path}/{index}")
    return found


def test_every_text_field_of_every_event_has_a_rule_publishers_can_read() -> None:
    """A string field with no rule would take a NUL (which stalled a consumer on PostgreSQL)."""
    unruled = {
        path.name: found
        for path, text in schema_files().items()
        if (found := strings_without_a_rule(json.loads(text)))
    }
    assert unruled == {}
