"""The citizen form in a real Chromium at a phone's size."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Answer, Response
from surveys import multi_codes

pytestmark = pytest.mark.browser

#: a citizen handing in an application (the result items stay hidden) who gave no feedback
REQUIRED_CHOICES = {
    "visit_stage": "1", "procedure": "3",
    "E1_seats": "4", "E1_equipment_enough": "5", "E1_equipment_modern": "4", "E1_equipment_easy": "3",
    "E2_posted_complete": "4", "E2_posted_accurate": "4", "E2_documents": "9", "E2_fees": "4",
    "E3_polite": "5", "E3_listening": "4", "E3_answers": "4", "E3_guidance_helpful": "4",
    "E3_guidance_clear": "5", "E3_rules": "4",
    "E5_channels": "4", "E5_gate": "2", "harassment": "2", "informal_payment": "8", "overall": "4",
    "expectations": ["6", "3"],
}  # fmt: skip


def count_responses(live_server) -> int:
    with Session(live_server.engine) as s:
        return s.scalar(select(func.count()).select_from(Response))


def last_answer(live_server, code: str) -> int | None:
    with Session(live_server.engine) as s:
        latest = select(func.max(Response.id)).scalar_subquery()
        return s.scalar(select(Answer.value_int).where(Answer.response_id == latest, Answer.question_code == code))


def answer(page, choices: dict[str, str | list[str]]) -> None:
    for name, value in choices.items():
        for one in [value] if isinstance(value, str) else value:
            page.locator(f'input[name="{name}"][value="{one}"]').check()


def box(page, code: str):
    return page.locator(f'input[name="expectations"][value="{code}"]')


def test_citizen_answers_and_sees_thank_you(live_server, phone, output_dir):
    before = count_responses(live_server)
    phone.goto(f"{live_server.url}/s/{live_server.first_token()}")
    assert phone.locator("h1").first.inner_text().startswith("Khảo sát sự hài lòng")
    phone.screenshot(path=str(output_dir / "form-top-360.png"))
    answer(phone, REQUIRED_CHOICES)
    phone.fill('textarea[name="comment"]', "Cán bộ hướng dẫn nhiệt tình, chu đáo.")
    phone.screenshot(path=str(output_dir / "form-answered-360.png"), full_page=True)
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_url("**/cam-on")
    assert "Cảm ơn ông/bà!" in phone.locator("h1").inner_text()
    phone.screenshot(path=str(output_dir / "thanks-360.png"))
    assert count_responses(live_server) == before + 1
    assert multi_codes(last_answer(live_server, "expectations")) == (3, 6)
    assert phone.console_errors == []


def test_skip_logic_is_live_and_errors_sit_beside_questions(live_server, phone, output_dir):
    phone.goto(f"{live_server.url}/s/{live_server.first_token()}")
    follow_up = phone.locator("#q-E5_easy")
    assert follow_up.is_hidden()
    phone.locator('input[name="E5_gate"][value="1"]').check()
    assert follow_up.is_visible()
    phone.locator('input[name="E5_gate"][value="2"]').check()
    assert follow_up.is_hidden()
    # the result is rated once it was received: the visit stage opens the result items live
    result = [phone.locator(f"#q-{code}") for code in ("E2_time", "E4_lawful", "E4_complete", "E4_accurate")]
    assert all(q.is_hidden() for q in result)
    phone.locator('input[name="visit_stage"][value="3"]').check()
    assert all(q.is_visible() for q in result)
    phone.locator('input[name="visit_stage"][value="2"]').check()
    assert all(q.is_hidden() for q in result)
    assert phone.locator("#q-E1_overall").count() == 0  # interviews only
    phone.locator('input[name="E1_seats"][value="4"]').check()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_load_state()
    assert phone.locator("#err-E1_equipment_enough").inner_text() == "Vui lòng trả lời câu này."
    assert phone.locator('input[name="E1_seats"][value="4"]').is_checked()
    phone.screenshot(path=str(output_dir / "form-errors-360.png"))
    # the 422 of the refused submission is logged by Chromium; nothing else may be
    assert [e for e in phone.console_errors if "status of 422" not in e] == []


def test_draft_survives_a_reload(live_server, phone):
    url = f"{live_server.url}/s/{live_server.first_token()}?moi=1"
    phone.goto(url)
    phone.locator('input[name="E2_posted_complete"][value="5"]').check()
    box(phone, "2").check()
    box(phone, "7").check()
    phone.fill('textarea[name="comment"]', "Đang viết dở")
    phone.reload()
    assert phone.locator('input[name="E2_posted_complete"][value="5"]').is_checked()
    assert box(phone, "2").is_checked() and box(phone, "7").is_checked() and not box(phone, "6").is_checked()
    assert phone.locator('textarea[name="comment"]').input_value() == "Đang viết dở"


def test_check_boxes_keep_their_rules_live(live_server, phone, output_dir):
    phone.goto(f"{live_server.url}/s/{live_server.first_token()}?moi=1")
    question = phone.locator("#q-expectations")
    assert "Có thể chọn nhiều ý, tối đa 3 ý." in question.inner_text()
    assert question.locator(".opt").first.bounding_box()["height"] >= 48  # big tap targets
    for code in ("1", "4", "6"):
        box(phone, code).check()
    # three chosen: the others wait, "no suggestion" stays open
    assert box(phone, "2").is_disabled() and box(phone, "11").is_disabled() and box(phone, "0").is_enabled()
    phone.screenshot(path=str(output_dir / "form-check-boxes-360.png"))
    box(phone, "4").uncheck()
    assert box(phone, "2").is_enabled()
    # "no suggestion" goes alone, and a choice afterwards takes its place
    box(phone, "0").check()
    assert [box(phone, c).is_checked() for c in ("0", "1", "6")] == [True, False, False]
    box(phone, "11").check()
    assert not box(phone, "0").is_checked()
    # "something else" opens its text box; unticked, it closes again
    other = phone.locator("#q-expectations_other")
    assert other.is_visible()
    box(phone, "11").uncheck()
    assert other.is_hidden()
    box(phone, "11").check()
    answer(phone, {k: v for k, v in REQUIRED_CHOICES.items() if k != "expectations"})
    box(phone, "6").check()
    phone.fill('textarea[name="expectations_other"]', "Có chỗ gửi xe")
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_url("**/cam-on")
    assert multi_codes(last_answer(live_server, "expectations")) == (6, 11)
    assert phone.console_errors == []


def test_form_works_without_javascript(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    before = count_responses(live_server)
    page.goto(f"{live_server.url}/s/{live_server.first_token()}?moi=1")
    assert page.locator("#q-E5_easy").is_visible()  # no JS: every question shows, with its note
    assert page.locator("#q-E4_lawful").is_visible()
    answer(page, {**REQUIRED_CHOICES, "expectations": ["0", "6"]})
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    # without JavaScript nothing stops "no suggestion" from joining others: the server says why
    assert page.locator("#err-expectations").inner_text() == (
        "Không thể chọn “Không có đề xuất / Không biết” cùng với các ý khác."
    )
    assert count_responses(live_server) == before
    box(page, "0").uncheck()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_url("**/cam-on")
    assert count_responses(live_server) == before + 1
    assert multi_codes(last_answer(live_server, "expectations")) == (6,)
    context.close()


def test_text_size_and_contrast_controls(live_server, phone, output_dir):
    phone.goto(f"{live_server.url}/s/{live_server.first_token()}?moi=1")
    base = phone.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    # with JavaScript the display links act as buttons (role=button)
    phone.get_by_role("button", name="Chữ lớn hơn").click()
    phone.wait_for_timeout(100)
    larger = phone.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert larger > base
    phone.get_by_role("button", name="Tương phản cao").click()
    phone.wait_for_timeout(100)
    assert "contrast" in phone.evaluate("document.documentElement.className")
    phone.screenshot(path=str(output_dir / "form-contrast-large-360.png"))
    phone.reload()  # the server renders the same choice from the cookie
    assert "contrast" in phone.evaluate("document.documentElement.className")
    assert phone.console_errors == []
