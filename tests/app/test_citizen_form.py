"""The citizen QR form at /s/<token>: render, validate, store once, refuse bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from app.models import Answer, Response, RetiredQrToken, ServicePoint
from surveys import Role, answers_unpack, load_all, multi_codes, packed_layout, packed_multi

SIPAS = load_all()["sipas-counter.v2"]

#: A citizen handing in an application (visit stage 1: nothing to say about
#: the result yet) who gave no feedback, as the form posts it.
VALID = {
    "visit_stage": "1", "procedure": "3", "visits": "1",
    "E1_seats": "4", "E1_equipment_enough": "5", "E1_equipment_modern": "4", "E1_equipment_easy": "3",
    "E2_posted_complete": "4", "E2_posted_accurate": "4", "E2_documents": "9", "E2_fees": "4",
    "E3_polite": "5", "E3_listening": "4", "E3_answers": "4", "E3_guidance_helpful": "4",
    "E3_guidance_clear": "5", "E3_rules": "4",
    "E5_channels": "4", "E5_gate": "2", "harassment": "2", "informal_payment": "8", "overall": "4",
    "expectations": ["6", "3"],
    "comment": "Cán bộ hướng dẫn tận tình",
}  # fmt: skip
#: what a citizen collecting the result also answers
RESULT = {"visit_stage": "3", "E2_time": "4", "E4_lawful": "5", "E4_complete": "4", "E4_accurate": "4"}


def nonce_of(html: str) -> str:
    match = re.search(r'name="nonce" value="([^"]+)"', html)
    assert match, "the form carries a nonce"
    return match.group(1)


def open_form(client, point) -> str:
    response = client.get(f"/s/{point.qr_token}")
    assert response.status_code == 200
    return nonce_of(response.get_data(as_text=True))


def stored(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Response))


def test_form_names_the_unit_and_counter_and_every_question(client, point):
    response = client.get(f"/s/{point.qr_token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="vi"' in html
    assert "UBND xã Tân Phú" in html and "Quầy Tư pháp – hộ tịch" in html
    for q in SIPAS.questions_in("qr"):
        assert q.text.vi.replace("/", "&#x2F;")[:30] in html.replace("/", "&#x2F;") or q.text.vi[:30] in html
        assert f'id="q-{q.code}"' in html
    for q in SIPAS.with_role(Role.ELEMENT_OVERALL):  # asked in interviews and on paper only
        assert f'id="q-{q.code}"' not in html
    assert "Phần 1/9" in html and "Phần 9/9" in html
    assert "mất khoảng 4 phút" in html  # the time the intro states, checked against the questions
    assert response.headers["Cache-Control"] == "no-store"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_form_in_english(client, point):
    response = client.get(f"/s/{point.qr_token}?lang=en")
    html = response.get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Satisfaction survey on public administrative services" in html
    assert any("lang=en" in c for c in response.headers.getlist("Set-Cookie"))
    # the choice sticks through the cookie
    again = client.get(f"/s/{point.qr_token}").get_data(as_text=True)
    assert '<html lang="en"' in again


def test_valid_submission_is_stored_with_its_answers(client, point, db_session):
    nonce = open_form(client, point)
    response = client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/s/{point.qr_token}/cam-on")
    row = db_session.scalars(select(Response)).one()
    assert row.channel == "qr" and row.status == "submitted"
    assert row.service_point_id == point.id and row.unit_id == point.unit_id
    # the hour it was sent, no start and a fill time (issue 15.5: no exact time kept)
    assert row.started_at is None and row.submitted_at is not None and row.fill_seconds is not None
    answers = {a.question_code: (a.value_int, a.value_text) for a in row.answers}
    assert answers["E1_seats"] == (4, None)
    assert answers["expectations"] == (2**3 + 2**6, None)  # one row, the chosen codes as a bit mask
    assert answers["comment"] == (None, "Cán bộ hướng dẫn tận tình")
    assert "E5_easy" not in answers and "E4_lawful" not in answers
    assert answers_unpack(packed_layout(SIPAS), row.codes, multi=packed_multi(SIPAS))["expectations"] == (3, 6)
    thanks = client.get(response.headers["Location"])
    assert "Cảm ơn ông/bà!" in thanks.get_data(as_text=True)


def test_nothing_identifying_is_stored(client, point, db_session):
    nonce = open_form(client, point)
    client.post(
        f"/s/{point.qr_token}",
        data={**VALID, "nonce": nonce, "comment": "Gọi tôi: 0987654321"},
        headers={"User-Agent": "Mozilla/5.0 (Linux; Android 9; SM-J600G)", "X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    texts = []
    for row in db_session.execute(select(Response)).scalars():
        texts.extend(str(getattr(row, c.key)) for c in Response.__table__.columns)
    texts.extend(db_session.scalars(select(Answer.value_text).where(Answer.value_text.is_not(None))))
    blob = " ".join(texts)
    for secret in ("198.51.100.7", "203.0.113.9", "Android", "SM-J600G", "0987654321"):
        assert secret not in blob
    columns = {c.key for c in Response.__table__.columns}
    assert not columns & {"ip", "ip_address", "user_agent", "phone"}


def test_missing_answers_are_shown_beside_each_question_and_kept(client, point, db_session):
    nonce = open_form(client, point)
    partial = {k: v for k, v in VALID.items() if k not in ("E3_listening", "overall")}
    response = client.post(f"/s/{point.qr_token}", data={**partial, "nonce": nonce})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count('class="error"') == 2
    assert 'id="err-E3_listening"' in html and 'id="err-overall"' in html
    assert "Còn 2 câu cần xem lại" in html
    # every other answer is still checked, the check boxes too
    assert re.search(r'name="E1_seats" value="4" checked', html)
    assert re.search(r'name="expectations" value="3" checked', html)
    assert re.search(r'name="expectations" value="6" checked', html)
    assert not re.search(r'name="expectations" value="1" checked', html)
    assert "Cán bộ hướng dẫn tận tình" in html
    assert nonce_of(html) == nonce
    assert stored(db_session) == 0


def test_errors_are_in_english_for_english_readers(client, point):
    nonce = open_form(client, point)
    response = client.post(f"/s/{point.qr_token}?lang=en", data={"nonce": nonce})
    assert response.status_code == 422
    assert "Please answer this question." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("E1_seats", "7", "Câu trả lời không hợp lệ"),
        ("visits", "99", "từ 1 đến 30"),
        ("comment", "x" * 1200, "tối đa 1000"),
    ],
)
def test_invalid_values_are_refused_with_a_message(client, point, db_session, field, value, message):
    nonce = open_form(client, point)
    response = client.post(f"/s/{point.qr_token}", data={**VALID, field: value, "nonce": nonce})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(db_session) == 0


def test_skip_logic_on_the_server(client, point, db_session):
    nonce = open_form(client, point)
    response = client.post(f"/s/{point.qr_token}", data={**VALID, "E5_gate": "1", "nonce": nonce})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="err-E5_easy"' in html and 'id="err-E5_handled"' in html and 'id="err-E5_reported"' in html
    feedback = {"E5_gate": "1", "E5_easy": "4", "E5_handled": "5", "E5_reported": "3"}
    response = client.post(f"/s/{point.qr_token}", data={**VALID, **feedback, "nonce": nonce})
    assert response.status_code == 303
    codes = set(db_session.scalars(select(Answer.question_code)))
    assert {"E5_easy", "E5_handled", "E5_reported"} <= codes


def test_the_result_is_rated_only_once_it_was_received(client, point, db_session):
    """Visit stage gates the result items; without JavaScript a citizen
    handing in an application may rate it anyway: those answers are dropped."""
    nonce = open_form(client, point)
    missing = client.post(f"/s/{point.qr_token}", data={**VALID, "visit_stage": "3", "nonce": nonce})
    assert missing.status_code == 422
    html = missing.get_data(as_text=True)
    assert all(f'id="err-{code}"' in html for code in ("E2_time", "E4_lawful", "E4_complete", "E4_accurate"))
    assert "Chỉ trả lời nếu" in html  # the form says which stage the result items are for
    early = {**VALID, **RESULT, "visit_stage": "1", "nonce": nonce}
    assert client.post(f"/s/{point.qr_token}", data=early).status_code == 303
    codes = set(db_session.scalars(select(Answer.question_code)))
    assert not codes & set(RESULT) - {"visit_stage"}


def test_the_qr_form_drops_what_only_interviews_ask(client, point, db_session):
    nonce = open_form(client, point)
    data = {**VALID, **RESULT, "E1_overall": "5", "E4_overall": "4", "nonce": nonce}
    assert client.post(f"/s/{point.qr_token}", data=data).status_code == 303
    codes = set(db_session.scalars(select(Answer.question_code)))
    assert "E4_lawful" in codes and not codes & {"E1_overall", "E4_overall"}


def test_check_boxes_render_with_their_rules(client, point):
    html = client.get(f"/s/{point.qr_token}").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" name="expectations" value="(\d+)"( data-only)?', html)
    assert [int(code) for code, _ in boxes] == [c.code for c in SIPAS.question("expectations").scale.choices]
    assert [code for code, only in boxes if only] == ["0"]  # "no suggestion" goes alone
    assert 'data-max="3"' in html and "Có thể chọn nhiều ý, tối đa 3 ý." in html
    other = html[html.index('id="q-expectations_other"') :]
    assert 'data-show-if="expectations" data-show-values="11"' in other[:200]
    assert "Chỉ trả lời nếu" in other and "Nội dung khác" in other


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (["1", "2", "3", "4"], "Vui lòng chọn tối đa 3 ý."),
        (["0", "6"], "Không thể chọn “Không có đề xuất / Không biết” cùng với các ý khác."),
        (["6", "6"], "Mỗi lựa chọn chỉ được chọn một lần."),
        (["12"], "Câu trả lời không hợp lệ, vui lòng chọn lại."),
        ([], "Vui lòng trả lời câu này."),
    ],
    ids=["too-many", "none-combined", "twice", "unknown", "none"],
)
def test_check_box_rules_hold_without_javascript(client, point, db_session, chosen, message):
    nonce = open_form(client, point)
    response = client.post(f"/s/{point.qr_token}", data={**VALID, "expectations": chosen, "nonce": nonce})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" id="err-expectations">{message}</p>' in html.replace("&#34;", '"')
    assert stored(db_session) == 0


def test_english_check_box_message(client, point):
    nonce = open_form(client, point)
    data = {**VALID, "expectations": ["1", "2", "3", "4"], "nonce": nonce}
    html = client.post(f"/s/{point.qr_token}?lang=en", data=data).get_data(as_text=True)
    assert "Please choose at most 3." in html and "You can choose more than one, up to 3." in html


def test_something_else_is_kept_when_ticked(client, point, db_session):
    nonce = open_form(client, point)
    data = {**VALID, "expectations": ["11", "2"], "expectations_other": "Có chỗ gửi xe", "nonce": nonce}
    assert client.post(f"/s/{point.qr_token}", data=data).status_code == 303
    rows = dict(
        db_session.execute(select(Answer.question_code, Answer.value_text).where(Answer.value_text.is_not(None))).all()
    )
    assert rows["expectations_other"] == "Có chỗ gửi xe"
    mask = db_session.scalar(select(Answer.value_int).where(Answer.question_code == "expectations"))
    assert multi_codes(mask) == (2, 11)


def test_double_submit_and_replay_store_one_response(client, point, db_session):
    nonce = open_form(client, point)
    data = {**VALID, "nonce": nonce}
    first = client.post(f"/s/{point.qr_token}", data=data)
    second = client.post(f"/s/{point.qr_token}", data=data)
    assert first.status_code == second.status_code == 303
    assert stored(db_session) == 1


def test_same_nonce_with_other_answers_is_a_conflict(client, point, db_session):
    nonce = open_form(client, point)
    client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce})
    response = client.post(f"/s/{point.qr_token}", data={**VALID, "overall": "1", "nonce": nonce})
    assert response.status_code == 409
    assert "Phiếu này đã được gửi" in response.get_data(as_text=True)
    assert stored(db_session) == 1
    assert db_session.scalar(select(Answer.value_int).where(Answer.question_code == "overall")) == 4


def test_back_after_submitting_says_it_was_sent_and_offers_a_new_form(client, point, db_session):
    nonce = open_form(client, point)
    client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce})
    back = client.get(f"/s/{point.qr_token}")
    assert "Ông/bà vừa gửi đánh giá" in back.get_data(as_text=True)
    fresh = client.get(f"/s/{point.qr_token}?moi=1")
    new_nonce = nonce_of(fresh.get_data(as_text=True))
    assert new_nonce != nonce
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": new_nonce}).status_code == 303
    assert stored(db_session) == 2


def test_forged_or_foreign_nonce_keeps_answers_and_asks_to_resend(client, point, db_session):
    other = ServicePoint(unit_id=point.unit_id, code="Q02", name="Quầy Đất đai")
    db_session.add(other)
    db_session.commit()
    foreign = open_form(client, other)
    for bad in ("", "garbage", foreign):
        response = client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": bad})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "vui lòng bấm “Gửi đánh giá” lần nữa" in html
        assert re.search(r'name="E1_seats" value="4" checked', html)
        assert re.search(r'name="expectations" value="6" checked', html)
    assert stored(db_session) == 0


def test_unknown_token_gets_a_friendly_vietnamese_404(client, point):
    for token in ("khongtontai1234567890", "x", "a" * 500, quote("<script>")):
        response = client.get(f"/s/{token}")
        assert response.status_code == 404
        assert "Không tìm thấy phiếu khảo sát" in response.get_data(as_text=True)


def test_rotated_token_says_the_code_is_no_longer_used(client, point, db_session):
    old = point.qr_token
    db_session.add(RetiredQrToken(token=old, service_point_id=point.id))
    point.qr_token = "new-token-" + "x" * 12
    db_session.commit()
    response = client.get(f"/s/{old}")
    assert response.status_code == 404
    assert "Mã QR này không còn sử dụng" in response.get_data(as_text=True)
    assert client.post(f"/s/{old}", data=VALID).status_code == 404


def test_retired_counter_is_refused(client, point, db_session):
    point.retired_at = datetime.now(UTC)
    db_session.commit()
    assert client.get(f"/s/{point.qr_token}").status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b'{"E1_1": 4}', "application/json", 415, "Định dạng dữ liệu không được hỗ trợ"),
        (b"E1_1=4", "text/plain", 415, "Định dạng dữ liệu không được hỗ trợ"),
        (b"comment=%FF%FE", "application/x-www-form-urlencoded", 400, "không phải UTF-8"),
        (b"comment=\xff\xfe", "application/x-www-form-urlencoded", 400, "không phải UTF-8"),
        (
            b"&".join(b"f%d=1" % i for i in range(500)),
            "application/x-www-form-urlencoded",
            400,
            "không hợp lệ",
        ),
        (b"comment=" + b"x" * 400_000, "application/x-www-form-urlencoded", 413, "quá lớn"),
        (b"", None, 415, "Định dạng dữ liệu không được hỗ trợ"),
    ],
    ids=["json", "text", "bad-utf8-escaped", "bad-utf8-raw", "too-many-fields", "oversized", "empty"],
)
def test_bad_bodies_get_a_4xx_with_a_message(client, point, db_session, body, content_type, status, message):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(f"/s/{point.qr_token}", data=body, headers=headers)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert stored(db_session) == 0


def _body(fields: dict) -> str:
    """An urlencoded body in the order given, a list as repeated fields."""
    return "&".join(
        f"{k}={quote(v)}" for k, values in fields.items() for v in ([values] if isinstance(values, str) else values)
    )


def test_repeated_field_cannot_smuggle_a_second_answer(client, point, db_session):
    nonce = open_form(client, point)
    body = _body({**VALID, "nonce": nonce}) + "&overall=1&E1_seats=1&visit_stage=3"
    response = client.post(
        f"/s/{point.qr_token}", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 303
    answers = dict(db_session.execute(select(Answer.question_code, Answer.value_int)).all())
    assert (answers["overall"], answers["E1_seats"], answers["visit_stage"]) == (4, 4, 1)


def test_only_check_boxes_keep_every_value_of_a_repeated_field(client, point, db_session):
    nonce = open_form(client, point)
    body = _body({**{k: v for k, v in VALID.items() if k != "expectations"}, "nonce": nonce})
    body += "&expectations=7&expectations=2&expectations=9"
    response = client.post(
        f"/s/{point.qr_token}", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 303
    mask = db_session.scalar(select(Answer.value_int).where(Answer.question_code == "expectations"))
    assert multi_codes(mask) == (2, 7, 9)


def test_get_only_routes_refuse_other_methods(client, point):
    response = client.put(f"/s/{point.qr_token}")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert "không được phép" in response.get_data(as_text=True)


def test_display_preferences_need_no_javascript(client, point):
    response = client.get(f"/hien-thi?size=xl&contrast=1&next=/s/{point.qr_token}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/s/{point.qr_token}"
    html = client.get(f"/s/{point.qr_token}").get_data(as_text=True)
    assert 'class="size-xl contrast"' in html
    evil = client.get("/hien-thi?size=lg&next=//evil.example/phish")
    assert evil.headers["Location"] == "/"


def test_pages_are_compressed_for_slow_mobile_data(client, point):
    plain = client.get(f"/s/{point.qr_token}")
    packed = client.get(f"/s/{point.qr_token}", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.data) * 4 < len(plain.data)
