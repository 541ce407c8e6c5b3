"""Staff see staff messages (issue 17, messages).

A unit manager refused a unit, or anyone opening an unknown staff address,
used to read the citizen form's texts ("open the form again", "scan the QR
code at the counter"); the review list showed channel codes; the paper
import exited 0 with rejected rows; and a production server without
PUBLIC_URL printed 127.0.0.1 on every QR poster.
"""

from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError, Settings
from tests.app.test_admin_review import submit  # noqa: F401 (a fixture)

CITIZEN_TEXTS = ("Vui lòng mở lại phiếu", "quét lại mã QR", "Không tìm thấy phiếu khảo sát")


def _citizen_free(html: str) -> None:
    for text in CITIZEN_TEXTS:
        assert text not in html


@pytest.mark.parametrize("url", ["/bao-cao?unit=U-B1", "/bao-cao?unit=NOPE", "/bao-cao/tai-ve.csv?unit=U-B"])
def test_a_manager_refused_a_unit_reads_why(app, users, login_as, url):
    client = app.test_client()
    login_as(client, users["unit_manager"])
    response = client.get(url)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    _citizen_free(html)
    assert "ngoài phạm vi" in html and "Đơn vị A" in html  # why, and what they may see
    english = client.get(url + "&lang=en").get_data(as_text=True)
    assert "outside" in english


def test_other_refusals_of_staff_say_access_denied(app, users, login_as):
    client = app.test_client()
    login_as(client, users["surveyor"])
    html = client.get("/bao-cao").get_data(as_text=True)
    _citizen_free(html)
    assert "Không có quyền truy cập" in html


@pytest.mark.parametrize(
    "url", ["/bao-cao/xyz", "/bao-cao/tai-ve.doc", "/quan-tri/xyz", "/quan-tri/don-vi/999999", "/dieu-tra/abc"]
)
@pytest.mark.parametrize("role", ["admin", "analyst", None])
def test_unknown_staff_addresses_show_a_staff_page(app, users, login_as, url, role):
    client = app.test_client()
    if role:
        login_as(client, users[role])
    response = client.get(url)
    if response.status_code == 302:  # signed out: a known staff page sends to sign in first
        assert role is None
        return
    assert response.status_code in (403, 404)
    html = response.get_data(as_text=True)
    _citizen_free(html)
    if response.status_code == 404:
        assert "Không tìm thấy trang" in html


def test_unknown_citizen_addresses_keep_the_citizen_page(client):
    html = client.get("/s/khong-co-ma-nay").get_data(as_text=True)
    assert "Không tìm thấy phiếu khảo sát" in html


def test_the_review_list_names_channels(admin_client, submit):  # noqa: F811
    response_id = submit()
    listing = admin_client.get("/quan-tri/phieu").get_data(as_text=True)
    assert "Mã QR tại quầy" in listing and "<td>qr</td>" not in listing
    detail = admin_client.get(f"/quan-tri/phieu/{response_id}").get_data(as_text=True)
    assert "Mã QR tại quầy" in detail
    assert "QR code at the counter" in admin_client.get("/quan-tri/phieu?lang=en").get_data(as_text=True)


@pytest.mark.parametrize("public_url", ["http://127.0.0.1:5000", "http://localhost:8000", "", "khaosat.vn"])
def test_production_refuses_to_start_without_a_public_url(tmp_path, public_url):
    settings = Settings(env="production", secret_key="k" * 40, public_url=public_url)
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        create_app(settings, instance_path=str(tmp_path))


def test_production_starts_with_a_public_url(tmp_path):
    settings = Settings(env="production", secret_key="k" * 40, public_url="https://khaosat.tinh.gov.vn")
    app = create_app(settings, instance_path=str(tmp_path))
    assert app.config["PUBLIC_URL"] == "https://khaosat.tinh.gov.vn"


def test_development_keeps_the_local_default(tmp_path):
    app = create_app(Settings(env="development"), instance_path=str(tmp_path))
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5000"
