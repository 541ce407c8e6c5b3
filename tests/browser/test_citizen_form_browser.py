"""The citizen form in a real Chromium at a phone's size."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Response

pytestmark = pytest.mark.browser

REQUIRED_CHOICES = {
    "procedure": "3",
    "E1_1": "4", "E1_2": "5", "E2_1": "4", "E2_2": "3", "E2_3": "9",
    "E3_1": "5", "E3_2": "4", "E3_3": "4", "E4_1": "4", "E4_2": "2",
    "E5_gate": "2", "harassment": "2", "informal_payment": "8", "overall": "4",
}  # fmt: skip


def count_responses(live_server) -> int:
    with Session(live_server.engine) as s:
        return s.scalar(select(func.count()).select_from(Response))


def answer(page, choices: dict[str, str]) -> None:
    for name, value in choices.items():
        page.locator(f'input[name="{name}"][value="{value}"]').check()


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
    assert phone.console_errors == []


def test_skip_logic_is_live_and_errors_sit_beside_questions(live_server, phone, output_dir):
    phone.goto(f"{live_server.url}/s/{live_server.first_token()}")
    follow_up = phone.locator("#q-E5_1")
    assert follow_up.is_hidden()
    phone.locator('input[name="E5_gate"][value="1"]').check()
    assert follow_up.is_visible()
    phone.locator('input[name="E5_gate"][value="2"]').check()
    assert follow_up.is_hidden()
    phone.locator('input[name="E1_1"][value="4"]').check()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    phone.wait_for_load_state()
    assert phone.locator("#err-E1_2").inner_text() == "Vui lòng trả lời câu này."
    assert phone.locator('input[name="E1_1"][value="4"]').is_checked()
    phone.screenshot(path=str(output_dir / "form-errors-360.png"))
    # the 422 of the refused submission is logged by Chromium; nothing else may be
    assert [e for e in phone.console_errors if "status of 422" not in e] == []


def test_draft_survives_a_reload(live_server, phone):
    url = f"{live_server.url}/s/{live_server.first_token()}?moi=1"
    phone.goto(url)
    phone.locator('input[name="E2_1"][value="5"]').check()
    phone.fill('textarea[name="comment"]', "Đang viết dở")
    phone.reload()
    assert phone.locator('input[name="E2_1"][value="5"]').is_checked()
    assert phone.locator('textarea[name="comment"]').input_value() == "Đang viết dở"


def test_form_works_without_javascript(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    before = count_responses(live_server)
    page.goto(f"{live_server.url}/s/{live_server.first_token()}?moi=1")
    assert page.locator("#q-E5_1").is_visible()  # no JS: every question shows, with its note
    answer(page, REQUIRED_CHOICES)
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_url("**/cam-on")
    assert count_responses(live_server) == before + 1
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
