"""The surveyor's tablet app in a real Chromium: interviews run and queue with
the network off, are sent by themselves when it returns, and a failing
server neither loses nor duplicates anything."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Answer, Response, User

pytestmark = pytest.mark.browser

HOUSEHOLD_NO_SERVICE = [
    {"sex": "2", "age_group": "3", "ethnicity": "1", "education": "4"},
    {"used_service": "2"},
    {"P_land": "1", "P_construction": "2", "P_hospital": "9", "P_school": "2", "P_job": "2"},
]
HOUSEHOLD_WITH_SERVICE = [
    {"sex": "1", "age_group": "5", "ethnicity": "2", "education": "2"},
    {"used_service": "1", "procedure": "1"},
    {"E1_1": "4", "E1_2": "5"},
    {"E2_1": "4", "E2_2": "3", "E2_3": "9"},
    {"E3_1": "5", "E3_2": "4", "E3_3": "4"},
    {"E4_1": "2", "E4_2": "4"},
    {"E5_gate": "2"},
    {"harassment": "2", "informal_payment": "8", "overall": "4"},
    {"P_land": "9", "P_construction": "9", "P_hospital": "1", "P_school": "2", "P_job": "9"},
]
#: an exit interview (sipas-counter v2) with a citizen handing in an
#: application: the result section is skipped, the demographics left blank
COUNTER_EXIT = [
    {"visit_stage": "1", "procedure": "3"},
    {"E1_seats": "4", "E1_equipment_enough": "4", "E1_equipment_modern": "3", "E1_equipment_easy": "4"},
    {"E2_posted_complete": "5", "E2_posted_accurate": "4", "E2_documents": "4", "E2_fees": "4"},
    {"E3_polite": "5", "E3_listening": "5", "E3_answers": "4", "E3_guidance_helpful": "4", "E3_guidance_clear": "4",
     "E3_rules": "4"},
    {"E5_channels": "4", "E5_gate": "2"},
    {"harassment": "2", "informal_payment": "2"},
    {"overall": "4", "expectations": ["6", "3"]},
    {},
]  # fmt: skip


def surveyor_rows(live_server) -> list[Response]:
    with Session(live_server.engine) as s:
        surveyor_id = s.scalar(select(User.id).where(User.username == "demo-surveyor"))
        return list(s.scalars(select(Response).where(Response.surveyor_id == surveyor_id).order_by(Response.id)))


def answers_of(live_server, response_id: int) -> int:
    with Session(live_server.engine) as s:
        return s.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response_id))


@pytest.fixture
def tablet(browser):
    """A tablet-sized page (fresh storage, no service worker yet) that records script errors."""
    context = browser.new_context(viewport={"width": 800, "height": 1180}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.script_errors = []
    page.on("pageerror", lambda exc: page.script_errors.append(str(exc)))
    yield page
    context.close()


def sign_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/dang-nhap?next=/dieu-tra")
    page.fill('input[name="username"]', "demo-surveyor")
    page.fill('input[name="password"]', "demo-surveyor-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/dieu-tra")
    # the service worker is installed and holds the pages and data for offline work
    page.wait_for_selector("html[data-offline-ready='1']", timeout=15000)


def open_assignment(page, instrument: str) -> None:
    page.locator("[data-assignment]", has_text=instrument).get_by_role("link").click()
    page.wait_for_selector("#sv-start")


def choose(page, choices: dict[str, str | list[str]]) -> None:
    for code, value in choices.items():
        for one in [value] if isinstance(value, str) else value:
            page.locator(f'#q-{code} input[value="{one}"]').check()


def run_interview(page, sections: list[dict[str, str | list[str]]]) -> str:
    page.click("#sv-start")
    for choices in sections:
        choose(page, choices)
        page.click("#sv-next")
    page.wait_for_selector(".sv-review")
    page.click("#sv-finish")
    return page.locator(".sv-done").get_attribute("data-uuid")


def test_interviews_made_offline_survive_a_reload_and_are_sent_when_online(live_server, tablet, output_dir):
    page, context = tablet, tablet.context
    before = len(surveyor_rows(live_server))
    sign_in(page, live_server)
    page.screenshot(path=str(output_dir / "surveyor-home.png"), full_page=True)

    context.set_offline(True)
    # really offline, for the service worker too: a file it has not stored cannot be fetched
    probe = "fetch('/static/css/staff.css?probe').then(() => 'reached', () => 'offline')"
    assert page.evaluate(probe) == "offline"
    open_assignment(page, "Phỏng vấn hộ gia đình")  # the page comes from the service worker
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.locator("#sv-net").inner_text().startswith("Mất mạng")
    first = run_interview(page, HOUSEHOLD_NO_SERVICE)
    page.screenshot(path=str(output_dir / "surveyor-saved-offline.png"))
    page.click("#sv-again")
    page.click("#sv-start")
    page.locator('#q-sex input[value="1"]').check()
    assert page.locator("#q-sex .opt").first.bounding_box()["height"] >= 48  # big touch targets
    page.screenshot(path=str(output_dir / "surveyor-question.png"))
    page.goto(page.url)  # leave the page mid-interview, still offline: the draft is kept
    page.locator("[data-resume]").click()
    for code, value in HOUSEHOLD_WITH_SERVICE[0].items():
        page.locator(f'#q-{code} input[value="{value}"]').check()
    page.click("#sv-next")
    for choices in HOUSEHOLD_WITH_SERVICE[1:]:
        for code, value in choices.items():
            page.locator(f'#q-{code} input[value="{value}"]').check()
        page.click("#sv-next")
    page.wait_for_selector(".sv-review")
    review = page.locator(".sv-review")
    assert review.locator("dt", has_text="Giới tính").count() == 1
    assert review.locator("dd", has_text="Nam").count() == 1  # answers shown by their labels
    assert review.locator("dt", has_text="E5_1").count() == 0 and "Cơ quan tiếp nhận góp ý" not in review.inner_text()
    page.screenshot(path=str(output_dir / "surveyor-review.png"), full_page=True)
    page.click("#sv-finish")
    second = page.locator(".sv-done").get_attribute("data-uuid")
    assert first != second

    page.reload()  # offline: the worker serves the page, the queue is in IndexedDB
    page.wait_for_selector("#sv-start")
    page.goto(f"{live_server.url}/dieu-tra")
    waiting = page.locator('ul[data-status="waiting"] li')
    waiting.first.wait_for()
    assert waiting.count() == 2
    assert page.locator("#sv-only-here").get_attribute("data-count") == "2"
    page.screenshot(path=str(output_dir / "surveyor-queue-offline.png"), full_page=True)
    assert len(surveyor_rows(live_server)) == before  # nothing reached the server

    page.evaluate("window.stillTheSamePage = true")
    context.set_offline(False)  # the `online` event starts sending: no reload
    page.locator('ul[data-status="sent"] li').nth(1).wait_for(timeout=20000)
    page.wait_for_selector("#sv-only-here[data-count='0']")
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.locator('ul[data-status="waiting"]').count() == 0
    page.screenshot(path=str(output_dir / "surveyor-queue-sent.png"), full_page=True)

    rows = surveyor_rows(live_server)
    new = rows[before:]
    assert len(new) == 2
    assert {str(r.client_uuid) for r in new} == {first, second}
    assert all(r.channel == "tablet" and r.device_id and r.started_at <= r.submitted_at for r in new)
    by_uuid = {str(r.client_uuid): r for r in new}
    assert answers_of(live_server, by_uuid[first].id) == 10  # the service sections were skipped
    assert answers_of(live_server, by_uuid[second].id) == sum(len(s) for s in HOUSEHOLD_WITH_SERVICE)
    assert page.script_errors == []


def test_a_lost_answer_from_the_server_neither_loses_nor_duplicates(live_server, tablet, output_dir):
    page = tablet
    before = len(surveyor_rows(live_server))
    sign_in(page, live_server)
    posts: list[int] = []

    def first_fails(route):
        posts.append(1)
        if len(posts) == 1:
            route.fetch()  # the server stores the interview, but its answer is lost:
            route.fulfill(status=500, content_type="text/html", body="<h1>Internal Server Error</h1>")
        else:
            route.continue_()

    page.route("**/api/v1/interviews", first_fails)
    open_assignment(page, "Khảo sát sự hài lòng")
    uuid = run_interview(page, COUNTER_EXIT)
    page.goto(f"{live_server.url}/dieu-tra")
    # the first try failed; the back-off timer tries again by itself and gets "duplicate"
    page.locator(f'ul[data-status="sent"] li[data-uuid="{uuid}"]').wait_for(timeout=20000)
    assert len(posts) >= 2
    page.screenshot(path=str(output_dir / "surveyor-sent-after-500.png"), full_page=True)
    new = surveyor_rows(live_server)[before:]
    assert [str(r.client_uuid) for r in new] == [uuid]
    assert new[0].service_point_id is not None  # the exit interview is tied to its counter
    assert page.script_errors == []


def test_one_unfinished_interview_is_open_in_one_tab_only(live_server, tablet):
    page, context = tablet, tablet.context
    sign_in(page, live_server)
    open_assignment(page, "Phỏng vấn hộ gia đình")
    page.click("#sv-start")
    page.locator('#q-sex input[value="2"]').check()
    page.click("#sv-next")  # the other questions of the section are required
    assert page.locator("#err-age_group").inner_text() == "Vui lòng trả lời câu này."
    assert page.locator(".sv-errors").inner_text() == "Còn 3 câu cần trả lời hoặc sửa."
    url = page.url

    second = page.context.new_page()
    second.goto(url)
    second.wait_for_selector(".sv-locked")
    assert second.locator("[data-resume]").count() == 0  # it may start another interview, not this one
    second.close()

    page.close()  # the first tab goes away: its lock with it
    third = context.new_page()
    third.goto(url)
    third.locator("[data-resume]").click()
    assert third.locator('#q-sex input[value="2"]').is_checked()  # every answer was saved as given


def test_an_exit_interview_with_check_boxes_and_the_questions_a_tablet_asks(live_server, tablet, output_dir):
    page = tablet
    before = len(surveyor_rows(live_server))
    sign_in(page, live_server)
    open_assignment(page, "Khảo sát sự hài lòng")
    page.click("#sv-start")
    choose(page, {"visit_stage": "3", "procedure": "1"})
    page.click("#sv-next")
    choose(page, COUNTER_EXIT[1])
    assert page.locator("#q-E1_overall").is_visible()  # interviews ask the element as a whole
    choose(page, {"E1_overall": "4"})
    page.click("#sv-next")
    # the result was received: processing time and the result section are asked
    choose(page, {**COUNTER_EXIT[2], "E2_time": "2"})
    page.click("#sv-next")
    choose(page, COUNTER_EXIT[3])
    page.click("#sv-next")
    assert page.locator("[data-section='E4']").count() == 1
    choose(page, {"E4_lawful": "4", "E4_complete": "4", "E4_accurate": "5"})
    page.click("#sv-next")
    choose(page, COUNTER_EXIT[4])
    page.click("#sv-next")
    choose(page, COUNTER_EXIT[5])
    page.click("#sv-next")
    choose(page, {"overall": "4"})
    boxes = page.locator("#q-expectations")
    box = lambda code: boxes.locator(f'input[value="{code}"]')  # noqa: E731
    assert "Có thể chọn nhiều ý, tối đa 3 ý." in boxes.inner_text()
    for code in ("1", "2", "6"):
        box(code).check()
    assert box("4").is_disabled() and box("0").is_enabled()
    page.screenshot(path=str(output_dir / "surveyor-check-boxes.png"))
    box("0").check()
    assert [box(c).is_checked() for c in ("0", "1", "2", "6")] == [True, False, False, False]
    page.click("#sv-next")  # "no suggestion" alone is an answer
    page.click("#sv-previous")
    assert box("0").is_checked()  # kept in the draft
    box("11").check()
    box("6").check()
    assert not box("0").is_checked()
    other = page.locator("#q-expectations_other")
    assert other.is_visible()  # opened by "something else", any of the chosen codes
    other.locator("textarea").fill("Trả kết quả qua bưu điện")
    page.click("#sv-next")
    choose(page, {"sex": "2"})
    page.click("#sv-next")
    page.wait_for_selector(".sv-review")
    review = page.locator(".sv-review").inner_text()
    assert "Rút ngắn thời gian giải quyết thủ tục hành chính; Nội dung khác" in review  # labels, not codes
    page.screenshot(path=str(output_dir / "surveyor-review-check-boxes.png"), full_page=True)
    page.click("#sv-finish")
    uuid = page.locator(".sv-done").get_attribute("data-uuid")
    page.goto(f"{live_server.url}/dieu-tra")
    page.locator(f'ul[data-status="sent"] li[data-uuid="{uuid}"]').wait_for(timeout=20000)
    (new,) = surveyor_rows(live_server)[before:]
    with Session(live_server.engine) as s:
        answers = dict(
            s.execute(select(Answer.question_code, Answer.value_int).where(Answer.response_id == new.id)).all()
        )
    assert answers["expectations"] == 2**6 + 2**11
    assert answers["E1_overall"] == 4 and answers["E4_accurate"] == 5 and answers["sex"] == 2
    assert page.script_errors == []
