"""The registry as agencies, operators and outside systems use it: keys, imports, reorganisations,
history, and the inbound gateway — against the real broker, the services as processes."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from contracts import Topic
from tests.e2e.stack import PROPAGATION_SECONDS, Stack
from tests.factories import inbound, unique_code
from tests.kafka_tools import produce, read_until

pytestmark = pytest.mark.e2e

RECORD = {
    "year": 2022,
    "occurred_on": "2022-04-12",
    "document_ref": "KH-DGNB-2022",
    "title": "Kết quả đánh giá nội bộ năm 2022",
    "submitted_by": "Thư ký ISO",
}


def register(registry: httpx.Client, code: str, name: str, level: str, parent: str | None = None) -> None:
    body = {"code": code, "name": name, "level": level, "parent_code": parent, "valid_from": "2020-01-01"}
    response = registry.post("/agencies", json=body)
    assert response.status_code == 201, response.text


def key_for(stack: Stack, role: str, agency_code: str | None = None) -> dict[str, Any]:
    return stack.issue_key(role, agency_code, name=f"test {role}")


def test_every_call_needs_a_valid_unrevoked_key_issued_and_revoked_once_for_every_service(
    stack: Stack,
) -> None:
    url = stack.url("registry")
    assert httpx.get(f"{url}/agencies").status_code == 401
    assert httpx.get(f"{url}/agencies", headers={"Authorization": "Bearer eiso_nope_nope"}).status_code == 401
    assert httpx.get(f"{url}/agencies", headers={"Authorization": "Basic abc"}).status_code == 401
    assert httpx.get(f"{url}/health/live").status_code == 200, "probes stay open"
    issued = key_for(stack, "system")  # returns once every service of the stack accepts it
    reader = stack.client("registry", issued["key"])
    assert reader.get("/agencies").status_code == 200
    assert stack.client("compliance", issued["key"]).get("/me").json()["role"] == "system"
    identity = stack.client("identity")
    listed = identity.get("/api-keys").json()
    assert issued["id"] in {k["id"] for k in listed} and all(k["key"] is None for k in listed), (
        "never shown again"
    )
    assert identity.delete(f"/api-keys/{issued['id']}").status_code == 204
    stack.await_key(issued["key"], accepted=False, timeout=PROPAGATION_SECONDS)
    assert reader.get("/agencies").status_code == 401
    assert stack.client("registry").get("/api-keys").status_code == 404, "no key store of its own"


def test_an_agency_key_reaches_its_own_agency_only(stack: Stack) -> None:
    registry = stack.client("registry")
    own, other = unique_code("OWN"), unique_code("OTHER")
    register(registry, own, "Sở Tư pháp", "department")
    register(registry, other, "Sở Y tế", "department")
    agency = stack.client("registry", key_for(stack, "agency", own)["key"])
    assert agency.get(f"/agencies/{own}").status_code == 200
    assert agency.get(f"/agencies/{other}").status_code == 404
    assert agency.get(f"/agencies/{other}/records").status_code == 404
    assert agency.put(f"/agencies/{other}/records/internal_audit", json=RECORD).status_code == 404
    assert agency.put(f"/agencies/{own}/records/internal_audit", json=RECORD).status_code == 201
    assert [a["code"] for a in agency.get("/agencies").json()["items"]] == [own]
    assert agency.post("/agencies", json={"code": "X9", "name": "X", "level": "unit"}).status_code == 403
    system = stack.client("registry", key_for(stack, "system")["key"])
    assert system.get(f"/agencies/{other}").status_code == 200
    assert system.put(f"/agencies/{other}/records/internal_audit", json=RECORD).status_code == 403


def test_import_applies_good_rows_reports_bad_ones_and_is_idempotent(stack: Stack) -> None:
    registry = stack.client("registry")
    district, commune = unique_code("HUYEN"), unique_code("XA")
    bad_level, bad_phone, orphan = unique_code("B1"), unique_code("B2"), unique_code("B3")
    csv = (
        "Mã cơ quan,Tên cơ quan,Cấp,Mã cơ quan cấp trên,Dùng phần mềm ISO điện tử,Hiệu lực từ,"
        "Cán bộ ISO,Điện thoại cán bộ ISO,Email cán bộ ISO\n"
        f"{commune},UBND xã Hòa Thuận,xã,{district},có,01/01/2020,"
        "Nguyễn Văn A,0912 345 678,a@travinh.gov.vn\n"
        f"{district},UBND huyện Châu Thành,huyện,,có,2020-01-01,,,\n"
        f"{bad_level},Sở Lạ,tỉnh,,không,,,,\n"
        f"{bad_phone},Sở Tài chính,sở,,có,,Lê Thị B,074 123 4567,\n"  # 074: not an allocated prefix
        f"{orphan},UBND xã Mồ Côi,xã,NOWHERE99,có,,,,\n"
        f"{district},UBND huyện Châu Thành (trùng),huyện,,có,,,,\n"
    ).encode()
    first = registry.post("/agencies:import", content=csv, headers={"content-type": "text/csv"})
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["created"], report["invalid"], report["updated"]) == (2, 4, 0)
    reasons = {r["row"]: r["reason"] for r in report["rows"] if r["status"] == "invalid"}
    assert reasons[4].startswith("level:") and "tỉnh" in reasons[4]
    assert reasons[5] == (
        "officer_phone: số điện thoại '074 123 4567' không phải số Việt Nam hợp lệ "
        "(ví dụ: di động 0912 345 678 hoặc +84 912 345 678, cố định (0294) 3862 123)"
    )
    assert (
        reasons[6] == "parent_code: mã định danh NOWHERE99 (cơ quan cấp trên) chưa có trong danh mục cơ quan"
    )
    assert reasons[7] == "code: appears more than once in the file"
    saved = registry.get(f"/agencies/{commune}").json()
    assert saved["parent_code"] == district and saved["uses_eiso_software"] is True
    assert saved["contacts"]["iso_officer"] == {
        "name": "Nguyễn Văn A",
        "phone": "+84912345678",
        "email": "a@travinh.gov.vn",
    }

    again = registry.post("/agencies:import", content=csv, headers={"content-type": "text/csv"}).json()
    assert (again["created"], again["updated"], again["unchanged"], again["invalid"]) == (0, 0, 2, 4)


async def test_import_emits_one_event_per_new_agency_even_when_imported_twice(stack: Stack) -> None:
    registry = stack.client("registry")
    code = unique_code("ONCE")
    csv = f"code,name,level\n{code},Sở Xây dựng,department\n".encode()
    assert registry.post("/agencies:import", content=csv).json()["created"] == 1
    assert registry.post("/agencies:import", content=csv).json()["unchanged"] == 1
    marker = unique_code("MARK")
    register(registry, marker, "Sở Nội vụ", "department")  # published after both imports
    events = await read_until(
        stack.kafka,
        Topic.REGISTRY_AGENCIES,
        lambda kept: any(r.key == marker.encode() for r in kept),
        keep=lambda r: r.key in (code.encode(), marker.encode()),
    )
    assert [json.loads(r.value)["type"] for r in events if r.key == code.encode()] == ["agency-registered"]


async def test_a_merge_and_the_registry_as_it_stood_before_and_after(stack: Stack) -> None:
    registry = stack.client("registry")
    district, a, b, merged = (unique_code(p) for p in ("D", "A", "B", "AB"))
    register(registry, district, "UBND huyện Càng Long", "district")
    register(registry, a, "UBND xã Mỹ Cẩm", "commune", district)
    register(registry, b, "UBND xã Nhị Long Phú", "commune", district)
    body = {
        "sources": [a, b],
        "new": {
            "code": merged,
            "name": "UBND xã Mỹ Cẩm Nhị Long",
            "level": "commune",
            "parent_code": district,
        },
        "effective_on": "2025-07-01",
    }
    response = registry.post("/agencies:merge", json=body)
    assert response.status_code == 200, response.text

    def communes(as_of: str) -> list[str]:
        page = registry.get("/agencies", params={"as_of": as_of, "parent_code": district}).json()
        return [item["code"] for item in page["items"]]

    assert communes("2025-06-30") == sorted([a, b])
    assert communes("2025-07-01") == [merged]
    assert registry.get(f"/agencies/{a}", params={"as_of": "2025-06-30"}).json()["name"] == "UBND xã Mỹ Cẩm"
    gone = registry.get(f"/agencies/{a}", params={"as_of": "2025-07-01"})
    assert gone.status_code == 404 and "did not exist on 2025-07-01" in gone.json()["detail"]
    assert registry.get(f"/agencies/{a}").json()["valid_to"] == "2025-07-01"
    lineage = registry.get(f"/agencies/{merged}/lineage").json()["links"]
    assert sorted((link["kind"], link["from_code"], link["to_code"]) for link in lineage) == sorted(
        [("merged_into", a, merged), ("merged_into", b, merged)]
    )
    assert (
        registry.put(
            f"/agencies/{a}/records/internal_audit", json={**RECORD, "occurred_on": "2025-08-01"}
        ).status_code
        == 422
    )
    [event] = await read_until(
        stack.kafka,
        Topic.REGISTRY_AGENCIES,
        lambda kept: len(kept) == 1,
        keep=lambda r: r.key == merged.encode() and b"agency-merged" in r.value,
    )
    assert json.loads(event.value)["data"]["sources"] == [a, b]


def test_search_by_name_with_or_without_diacritics_and_filters(stack: Stack) -> None:
    registry = stack.client("registry")
    code = unique_code("HT")
    register(registry, code, "UBND xã Hòa Thuận Đông", "commune")
    for q in ("Hòa Thuận Đông", "hoa thuan dong", "HOA THUẬN"):
        codes = [a["code"] for a in registry.get("/agencies", params={"q": q, "limit": 500}).json()["items"]]
        assert code in codes, q
    assert registry.get("/agencies", params={"limit": 501}).status_code == 422
    by_level = registry.get("/agencies", params={"level": "commune", "q": "hoa thuan dong"}).json()
    assert {a["level"] for a in by_level["items"]} == {"commune"}


async def test_inbound_events_end_where_they_should(stack: Stack) -> None:
    registry = stack.client("registry")
    district, other_district = unique_code("DIS"), unique_code("DIS")
    commune, outsider, dissolved = unique_code("C"), unique_code("OUT"), unique_code("GONE")
    register(registry, district, "UBND huyện Tiểu Cần", "district")
    register(registry, other_district, "UBND huyện Trà Cú", "district")
    register(registry, commune, "UBND xã Hiếu Tử", "commune", district)
    register(registry, outsider, "UBND xã Tập Sơn", "commune", other_district)
    register(registry, dissolved, "UBND xã Cũ", "commune", district)
    gone = registry.post(
        f"/agencies/{dissolved}:dissolve", json={"effective_on": "2022-01-01", "reason": "sáp nhập"}
    )
    assert gone.status_code == 200
    system = f"vn.test.eiso-{uuid.uuid4().hex[:6]}"
    assert (
        registry.post(
            "/systems", json={"id": system, "name": "Phần mềm ISO điện tử", "scope": [district]}
        ).status_code
        == 201
    )

    valid = inbound(commune, system)
    resent = valid.model_copy(update={"id": uuid.uuid4()})  # same record, new event id
    marker = inbound(commune, system, occurred_on="2022-06-01")
    await produce(
        stack.kafka,
        Topic.INBOUND_RECORDS,
        [
            (commune, inbound(commune, "vn.unknown.system")),
            ("ZZ404", inbound("ZZ404", system)),
            (dissolved, inbound(dissolved, system, occurred_on="2022-03-01")),
            (outsider, inbound(outsider, system)),
            (commune, b'{"specversion": "1.0", "type": "internal-audit-completed"}'),
            (commune, valid),
            (commune, valid),
            (commune, resent),
            (commune, marker),
        ],
    )
    canonical = await read_until(
        stack.kafka,
        Topic.REGISTRY_RECORDS,
        lambda kept: any(json.loads(r.value)["causationid"] == str(marker.id) for r in kept),
        keep=lambda r: r.key == commune.encode(),
    )
    assert [json.loads(r.value)["causationid"] for r in canonical] == [str(valid.id), str(marker.id)]
    first = json.loads(canonical[0].value)
    assert (first["source"], first["type"], first["data"]["channel"]) == (
        "/eiso/registry",
        "internal-audit-completed",
        system,
    )
    assert first["data"]["record_id"] == str(valid.data.record_id) and first["data"]["version"] == 1

    letters = await read_until(
        stack.kafka,
        "eiso.inbound.records.dlq",
        lambda kept: len(kept) >= 5,
        keep=lambda r: r.key.decode() in (commune, "ZZ404", dissolved, outsider),
    )
    reasons = sorted(dict(r.headers)["eiso-dlq-reason"].decode() for r in letters)
    assert reasons == sorted(
        [
            "source vn.unknown.system is not a registered system",
            "unknown agency ZZ404",
            f"agency {dissolved} was not active on 2022-03-01 (dissolved, merged or not yet founded)",
            f"source {system} may not publish for {outsider}",
            next(r for r in reasons if r.startswith("invalid event:")),
        ]
    )
    records = registry.get(f"/agencies/{commune}/records", params={"year": 2022}).json()
    assert [(r["element"], r["version"], r["channel"]) for r in records] == [("internal_audit", 2, system)]


def test_split_rename_reparent_and_update_keep_history_and_lineage(stack: Stack) -> None:
    registry = stack.client("registry")
    province, district, commune = unique_code("P"), unique_code("D"), unique_code("C")
    register(registry, province, "Văn phòng UBND tỉnh", "department")
    register(registry, district, "UBND huyện Duyên Hải", "district")
    register(registry, commune, "UBND xã Long Khánh", "commune", district)
    north, south = unique_code("N"), unique_code("S")
    parts = [
        {"code": north, "name": "UBND xã Long Khánh Bắc", "level": "commune", "parent_code": district},
        {"code": south, "name": "UBND xã Long Khánh Nam", "level": "commune", "parent_code": district},
    ]
    split = registry.post(f"/agencies/{commune}:split", json={"into": parts, "effective_on": "2023-01-01"})
    assert split.status_code == 200, split.text
    assert [a["valid_from"] for a in split.json()] == ["2023-01-01", "2023-01-01"]

    renamed_code = unique_code("R")
    renamed = registry.post(
        f"/agencies/{north}:rename",
        json={"name": "UBND xã Long Khánh", "new_code": renamed_code, "effective_on": "2025-07-01"},
    )
    assert renamed.status_code == 200, renamed.text
    moved = registry.post(
        f"/agencies/{renamed_code}:reparent", json={"parent_code": province, "effective_on": "2025-07-01"}
    )
    assert moved.status_code == 200 and moved.json()["parent_code"] == province
    patched = registry.patch(
        f"/agencies/{renamed_code}",
        json={
            "contacts": {"head": {"name": "Trần Văn D", "phone": "+84 987 654 321"}},
            "effective_on": "2025-08-01",
        },
    )
    assert patched.status_code == 200 and patched.json()["contacts"]["head"]["phone"] == "+84987654321"

    def on(code: str, day: str) -> dict[str, Any]:
        return dict(registry.get(f"/agencies/{code}", params={"as_of": day}).json())

    assert on(commune, "2022-12-31")["name"] == "UBND xã Long Khánh"
    assert on(north, "2024-01-01")["parent_code"] == district
    assert on(renamed_code, "2025-07-15")["parent_code"] == province
    assert on(renamed_code, "2025-07-15")["contacts"]["head"] is None
    assert on(renamed_code, "2025-08-01")["contacts"]["head"]["name"] == "Trần Văn D"
    links = registry.get(f"/agencies/{renamed_code}/lineage").json()["links"]
    assert [(k["kind"], k["from_code"], k["to_code"]) for k in links] == [
        ("split_from", north, commune),
        ("split_from", south, commune),
        ("renamed_from", renamed_code, north),
    ]
    dissolve_twice = registry.post(
        f"/agencies/{commune}:dissolve", json={"reason": "x", "effective_on": "2024-01-01"}
    )
    assert dissolve_twice.status_code == 409, "a split agency has already ended"
    rewrite = registry.patch(
        f"/agencies/{south}", json={"uses_eiso_software": True, "effective_on": "2022-01-01"}
    )
    assert rewrite.status_code == 422 and rewrite.json()["detail"][0]["loc"] == ["body", "effective_on"]


def test_phones_are_read_as_people_write_them_and_an_unallocated_prefix_is_refused(stack: Stack) -> None:
    registry = stack.client("registry")
    code = unique_code("DT")
    body: dict[str, Any] = {
        "code": code,
        "name": "Sở Thông tin và Truyền thông",
        "level": "department",
        "valid_from": "2020-01-01",
        "contacts": {
            "iso_officer": {"name": "Nguyễn Văn A", "phone": "+84 (0) 912 345 678"},
            "head": {"name": "Trần Thị B", "phone": "(0294) 3862 123"},  # a landline: e-mail only
        },
    }
    made = registry.post("/agencies", json=body)
    assert made.status_code == 201, made.text
    contacts = made.json()["contacts"]
    assert (contacts["iso_officer"]["phone"], contacts["head"]["phone"]) == ("+84912345678", "+842943862123")
    body |= {"code": unique_code("DT")}
    body["contacts"]["iso_officer"]["phone"] = "052 123 4567"
    refused = registry.post("/agencies", json=body)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "contacts", "iso_officer", "phone"]
    assert refused.json()["detail"][0]["msg"] == (
        "số điện thoại '052 123 4567' không phải số Việt Nam hợp lệ "
        "(ví dụ: di động 0912 345 678 hoặc +84 912 345 678, cố định (0294) 3862 123)"
    )


def test_oversized_bodies_and_unknown_fields_are_refused(stack: Stack) -> None:
    registry = stack.client("registry")
    huge = b"code,name,level\n" + b"X,Y,unit\n" * 300_000
    response = registry.post("/agencies:import", content=huge)
    assert response.status_code == 413 and "larger than" in response.json()["detail"]
    sneaky = registry.post(
        "/systems", json={"id": "vn.sneaky", "name": "S", "scope": ["A1"], "revoked_at": None}
    )
    assert sneaky.status_code == 422 and sneaky.json()["detail"][0]["loc"] == ["body", "revoked_at"]


def test_a_partial_import_touches_only_its_columns_and_parents_are_checked(stack: Stack) -> None:
    registry = stack.client("registry")
    district, commune = unique_code("D"), unique_code("C")
    full = (
        "code,name,level,parent_code,uses_eiso_software,officer_name,officer_phone\n"
        f"{district},UBND huyện Cầu Ngang,district,,yes,,\n"
        f"{commune},UBND xã Vinh Kim,commune,{district},yes,Phạm Thị E,0987 000 111\n"
    ).encode()
    assert registry.post("/agencies:import", content=full).json()["created"] == 2
    minimal = (
        f"code,name,level\n{district},UBND huyện Cầu Ngang,district\n{commune},UBND xã Vinh Kim,commune\n"
    )
    report = registry.post("/agencies:import", content=minimal.encode()).json()
    assert report["unchanged"] == 2, report
    kept = registry.get(f"/agencies/{commune}").json()
    assert (kept["parent_code"], kept["uses_eiso_software"]) == (district, True)
    assert kept["contacts"]["iso_officer"]["phone"] == "+84987000111"

    cycle = f"code,name,level,parent_code\n{district},UBND huyện Cầu Ngang,district,{commune}\n"
    [row] = registry.post("/agencies:import", content=cycle.encode()).json()["rows"]
    assert row["status"] == "invalid" and "nên không thể làm cơ quan cấp trên" in row["reason"]
    refused = registry.post(f"/agencies/{district}:reparent", json={"parent_code": commune})
    assert (
        refused.status_code == 422
        and "nên không thể làm cơ quan cấp trên" in refused.json()["detail"][0]["msg"]
    )


def test_children_follow_a_merge_and_block_a_dissolution(stack: Stack) -> None:
    registry = stack.client("registry")
    a, b, commune = unique_code("A"), unique_code("B"), unique_code("C")
    register(registry, a, "UBND huyện Cầu Kè", "district")
    register(registry, b, "UBND huyện Tiểu Cần", "district")
    register(registry, commune, "UBND xã Hòa Ân", "commune", a)
    blocked = registry.post(f"/agencies/{a}:dissolve", json={"reason": "x", "effective_on": "2025-07-01"})
    assert blocked.status_code == 409 and commune in blocked.json()["detail"][0]["msg"]
    merged = registry.post("/agencies:merge", json={"sources": [a], "into": b, "effective_on": "2025-07-01"})
    assert merged.status_code == 200, merged.text
    moved = registry.get(f"/agencies/{commune}", params={"as_of": "2025-07-01"}).json()
    before = registry.get(f"/agencies/{commune}", params={"as_of": "2025-06-30"}).json()
    assert (before["parent_code"], moved["parent_code"]) == (a, b)


def test_a_repeated_put_adds_no_version_and_keys_need_a_known_agency(stack: Stack) -> None:
    registry = stack.client("registry")
    code = unique_code("PUT")
    register(registry, code, "Sở Công Thương", "department")
    first = registry.put(f"/agencies/{code}/records/management_review", json=RECORD)
    again = registry.put(f"/agencies/{code}/records/management_review", json=RECORD)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["version"] == 1 and again.json()["record_id"] == first.json()["record_id"]
    changed = registry.put(f"/agencies/{code}/records/management_review", json={**RECORD, "title": "Lần 2"})
    assert (changed.status_code, changed.json()["version"]) == (201, 2)
    unknown = stack.client("identity").post(
        "/api-keys", json={"name": "x", "role": "agency", "agency_code": "NOPE0"}
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "agency_code"]


def test_concurrent_changes_never_leave_two_open_versions(stack: Stack) -> None:
    from concurrent.futures import ThreadPoolExecutor

    registry = stack.client("registry")
    code = unique_code("RACE")
    register(registry, code, f"Sở Đua {code}", "department")

    def patch(i: int) -> int:
        with stack.client("registry") as client:
            body = {"uses_eiso_software": i % 2 == 0, "effective_on": f"2024-{i % 12 + 1:02d}-01"}
            return client.patch(f"/agencies/{code}", json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(patch, range(16)))
    assert set(statuses) <= {200, 409, 422}, statuses
    for day in ("2024-06-15", f"{datetime.now(UTC).year + 1}-12-31"):  # the open version, to the last day
        found = registry.get("/agencies", params={"as_of": day, "q": f"Sở Đua {code}"}).json()
        assert found["total"] == 1, f"{code} has {found['total']} versions valid on {day}"


async def test_inbound_scope_reaches_grandchildren_and_a_reused_record_id_is_refused(stack: Stack) -> None:
    registry = stack.client("registry")
    province, district, commune = unique_code("PRV"), unique_code("DIS"), unique_code("COM")
    register(registry, province, "UBND tỉnh Trà Vinh", "department")
    register(registry, district, "UBND huyện Càng Long", "district", province)
    register(registry, commune, "UBND xã Tân An", "commune", district)
    system = f"vn.test.onestop-{uuid.uuid4().hex[:6]}"
    assert (
        registry.post("/systems", json={"id": system, "name": "Một cửa", "scope": [province]}).status_code
        == 201
    )
    first = inbound(commune, system)
    reused = first.model_copy(
        update={"id": uuid.uuid4(), "data": first.data.model_copy(update={"title": "Nội dung khác"})}
    )
    await produce(stack.kafka, Topic.INBOUND_RECORDS, [(commune, first), (commune, reused)])
    [letter] = await read_until(
        stack.kafka,
        "eiso.inbound.records.dlq",
        lambda kept: len(kept) == 1,
        keep=lambda r: r.key == commune.encode(),
    )
    assert dict(letter.headers)["eiso-dlq-reason"].decode() == (
        f"record_id {first.data.record_id} was already used for other content"
    )
    [canonical] = await read_until(
        stack.kafka,
        Topic.REGISTRY_RECORDS,
        lambda kept: len(kept) == 1,
        keep=lambda r: r.key == commune.encode(),
    )
    assert json.loads(canonical.value)["causationid"] == str(first.id)


def test_an_agency_cannot_end_before_its_own_records(stack: Stack) -> None:
    registry = stack.client("registry")
    code, into = unique_code("REC"), unique_code("INTO")
    register(registry, code, "UBND xã Đa Lộc", "commune")
    register(registry, into, "UBND xã Đa Lộc mới", "commune")
    assert (
        registry.put(
            f"/agencies/{code}/records/improvement", json={**RECORD, "occurred_on": "2022-09-01"}
        ).status_code
        == 201
    )
    for path, body in (
        (f"/agencies/{code}:dissolve", {"reason": "x", "effective_on": "2022-06-01"}),
        ("/agencies:merge", {"sources": [code], "into": into, "effective_on": "2022-06-01"}),
        (
            f"/agencies/{code}:rename",
            {"name": "UBND xã Mới", "new_code": unique_code("NEW"), "effective_on": "2022-06-01"},
        ),
    ):
        refused = registry.post(path, json=body)
        assert (
            refused.status_code == 409
            and "có hồ sơ ISO đến ngày 01/09/2022" in refused.json()["detail"][0]["msg"]
        ), path
