"""Labels and method notes of a report, in Vietnamese and English."""

from __future__ import annotations

from app.services.aggregates import INDEX_KEY
from surveys import Instrument, Text

SUMMARY_KEYS = [
    (INDEX_KEY, Text("Chỉ số hài lòng chung", "Overall satisfaction index"), True),
    (
        "overall",
        Text("Tỷ lệ hài lòng chung (câu đánh giá chung)", "Overall satisfaction (overall question)"),
        True,
    ),
    ("harassment", Text("Tỷ lệ bị phiền hà, sách nhiễu", "Harassment rate"), False),
    ("informal_payment", Text("Tỷ lệ phải chi tiền ngoài quy định", "Informal-payment rate"), False),
]


METHOD_NOTES = [
    (
        Text("Tỷ lệ hài lòng của một tiêu chí", "A criterion's satisfaction rate"),
        Text(
            "Số phiếu đánh giá 4 (Hài lòng) hoặc 5 (Rất hài lòng) chia cho số phiếu trả lời hợp lệ; "
            "câu trả lời “Không áp dụng / Không biết” không tính vào mẫu số và được đếm riêng.",
            "Answers 4 or 5 divided by valid answers; “not applicable / don't know” leaves the "
            "denominator and is counted separately.",
        ),
    ),
    (
        Text("Chỉ số yếu tố và chỉ số chung", "Element index and overall index"),
        Text(
            "Chỉ số một yếu tố là trung bình, trên các người trả lời, của tỷ lệ tiêu chí trong yếu tố "
            "mà người đó hài lòng (trong các tiêu chí đã trả lời). Chỉ số chung là trung bình các chỉ số "
            "yếu tố của từng người.",
            "An element's index is the mean over respondents of the share of that element's criteria "
            "they rated satisfied (among those answered). The overall index is the mean of each "
            "respondent's element shares.",
        ),
    ),
    (
        Text("Tỷ lệ phiền hà, tỷ lệ chi tiền ngoài quy định", "Harassment and informal-payment rates"),
        Text(
            "Số trả lời “Có” chia cho (“Có” + “Không”); số người không muốn trả lời được báo cáo riêng.",
            "“Yes” divided by (“Yes” + “No”); refusals are reported separately.",
        ),
    ),
    (
        Text("Khoảng tin cậy", "Confidence intervals"),
        Text(
            "Phiếu được lấy theo cụm (quầy × ngày) trong từng đơn vị (tầng). Phương sai tính theo "
            "phương pháp tuyến tính hóa Taylor; khoảng tin cậy của tỷ lệ theo Korn–Graubard, của chỉ số "
            "theo phân phối t với bậc tự do = số cụm − số tầng. Kết quả khớp gói survey của R.",
            "Responses are clustered (counter × day) within units (strata). Variance by Taylor "
            "linearisation; Korn–Graubard intervals for rates and t intervals for indices, with "
            "df = clusters − strata. The figures agree with R's survey package.",
        ),
    ),
    (
        Text("So sánh với toàn tỉnh", "Comparison with the province"),
        Text(
            "Mỗi đơn vị được kiểm định so với tỷ lệ chung; p-value hiệu chỉnh {correction_vi} giữa các đơn vị. "
            "Kết luận: tốt hơn / không khác biệt có ý nghĩa / kém hơn.",
            "Each unit is tested against the overall figure; p-values are {correction_en}-adjusted across units. "
            "Verdict: better / not distinguishable / worse.",
        ),
    ),
    (
        Text("Thay đổi so với kỳ trước", "Change since the previous period"),
        Text(
            "Khoảng tin cậy Newcombe (phương pháp 10) cho hiệu hai tỷ lệ, tính trên cỡ mẫu hiệu dụng; "
            "chỉ số: khoảng chuẩn từ sai số chuẩn của hai kỳ.",
            "Newcombe's interval (method 10) for the difference of two rates, on effective sample "
            "sizes; indices: a normal interval from both periods' standard errors.",
        ),
    ),
    (
        Text("Mẫu nhỏ", "Small samples"),
        Text(
            "Mỗi số liệu kèm n và cỡ mẫu hiệu dụng. Dưới {reliable} phiếu: đánh dấu “độ tin cậy thấp”. "
            "Dưới {disclosure} phiếu: không công bố để bảo vệ người trả lời.",
            "Every figure carries n and the effective sample size. Fewer than {reliable}: flagged as "
            "unreliable. Fewer than {disclosure}: not published, to protect respondents.",
        ),
    ),
]


CORRECTION_NAMES = {"holm": "Holm", "bh": "Benjamini–Hochberg", "none": "(không / none)"}


def unit_columns(instrument: Instrument) -> list[tuple[str, Text]]:
    cols = [(INDEX_KEY, Text("Chỉ số chung", "Overall index"))]
    cols += [(e.code, e.title) for e in instrument.elements]
    cols += [
        ("overall", Text("Hài lòng chung", "Overall satisfaction")),
        ("harassment", Text("Phiền hà", "Harassment")),
        ("informal_payment", Text("Chi ngoài quy định", "Informal payment")),
    ]
    return cols


LEVEL_NAMES = {
    "province": Text("Tỉnh", "Province"),
    "department": Text("Sở, ngành", "Department"),
    "district": Text("Huyện, thị xã, thành phố", "District"),
    "commune": Text("Xã, phường, thị trấn", "Commune"),
}
CHANNEL_NAMES = {
    "qr": Text("Mã QR tại quầy", "QR code at the counter"),
    "tablet": Text("Máy tính bảng", "Tablet"),
    "paper": Text("Phiếu giấy", "Paper"),
    "kiosk": Text("Ki-ốt", "Kiosk"),
}
GROUPING_NAMES = {"unit": Text("Từng đơn vị", "Each unit"), **LEVEL_NAMES}
