"""User-interface texts in Vietnamese (default) and English.

Question texts live in the instrument files; this module holds the rest of
what a person reads. A missing key fails loudly in tests (see
``tests/app/test_i18n.py``) rather than showing a raw key to a citizen.
"""

from __future__ import annotations

from flask import g, request

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("Khảo sát sự hài lòng", "Satisfaction survey"),
    "lang.switch": ("English", "Tiếng Việt"),
    "ui.smaller": ("Chữ nhỏ hơn", "Smaller text"),
    "ui.normal": ("Cỡ chữ thường", "Normal text size"),
    "ui.larger": ("Chữ lớn hơn", "Larger text"),
    "ui.contrast": ("Tương phản cao", "High contrast"),
    "ui.display": ("Hiển thị", "Display"),
    "form.part": ("Phần {i}/{n}", "Part {i} of {n}"),
    "form.required_note": ("Câu có dấu * là bắt buộc.", "Questions marked * are required."),
    "form.submit": ("Gửi đánh giá", "Send my answers"),
    "form.errors_summary": (
        "Còn {n} câu cần xem lại. Các câu trả lời khác vẫn được giữ nguyên.",
        "{n} question(s) need another look. Your other answers are kept.",
    ),
    "form.only_if": (
        "Chỉ trả lời nếu ở câu “{q}” ông/bà chọn: {v}.",
        "Answer only if you chose {v} for “{q}”.",
    ),
    "form.progress": ("Đã trả lời {a}/{n} câu", "{a} of {n} answered"),
    "form.at": ("Nơi đánh giá", "You are rating"),
    "form.expired": (
        "Trang đã mở quá lâu. Câu trả lời của ông/bà vẫn còn, vui lòng bấm “Gửi đánh giá” lần nữa.",
        "This page was open for too long. Your answers are kept; please press “Send my answers” again.",
    ),
    "form.number_hint": ("Nhập số từ {a} đến {b}", "Enter a number from {a} to {b}"),
    "form.text_hint": ("Tối đa {n} ký tự", "At most {n} characters"),
    "form.draft_restored": ("Đã khôi phục câu trả lời chưa gửi.", "Your unsent answers were restored."),
    "thanks.title": ("Cảm ơn ông/bà!", "Thank you!"),
    "thanks.body": (
        "Đánh giá của ông/bà đã được ghi nhận. Ý kiến này giúp cơ quan phục vụ người dân tốt hơn.",
        "Your answers have been recorded. They help this office serve people better.",
    ),
    "thanks.anonymous": (
        "Phiếu khảo sát là ẩn danh: không lưu tên, số điện thoại hay địa chỉ IP.",
        "The survey is anonymous: no name, phone number or IP address is stored.",
    ),
    "sent.title": ("Ông/bà vừa gửi đánh giá", "You have just sent your answers"),
    "sent.body": (
        "Chúng tôi đã nhận phiếu của ông/bà lúc {time}. Mỗi lần giao dịch chỉ cần gửi một phiếu.",
        "We received your answers at {time}. One response per visit is enough.",
    ),
    "sent.again": ("Gửi phiếu cho một lần giao dịch khác", "Answer for another visit"),
    "conflict.title": ("Phiếu này đã được gửi", "This form was already sent"),
    "conflict.body": (
        "Phiếu này đã được gửi trước đó với câu trả lời khác, nên không thể gửi lại. "
        "Nếu ông/bà muốn đánh giá một lần giao dịch khác, hãy mở phiếu mới.",
        "This form was already sent with other answers, so it cannot be sent again. "
        "To rate another visit, open a new form.",
    ),
    "conflict.new": ("Mở phiếu mới", "Open a new form"),
    "notfound.title": ("Không tìm thấy phiếu khảo sát", "Survey not found"),
    "notfound.body": (
        "Mã QR hoặc đường dẫn này không đúng. Vui lòng quét lại mã QR dán tại quầy, "
        "hoặc nhập đúng đường dẫn in dưới mã.",
        "This QR code or link is not valid. Please scan the code at the counter again, "
        "or type the link printed under it.",
    ),
    "retired.title": ("Mã QR này không còn sử dụng", "This QR code is no longer in use"),
    "retired.body": (
        "Quầy này đã đổi mã QR mới. Vui lòng quét mã mới dán tại quầy hoặc hỏi cán bộ một cửa.",
        "This counter has a new QR code. Please scan the new code at the counter or ask the staff.",
    ),
    "error.title": ("Có lỗi xảy ra", "Something went wrong"),
    "error.bad_request": (
        "Yêu cầu không hợp lệ. Vui lòng mở lại phiếu và thử lại.",
        "The request was not valid. Please open the form again and retry.",
    ),
    "error.too_large": (
        "Nội dung gửi lên quá lớn. Vui lòng rút ngắn góp ý và gửi lại.",
        "What you sent is too large. Please shorten your comment and send again.",
    ),
    "error.content_type": (
        "Định dạng dữ liệu không được hỗ trợ. Vui lòng gửi phiếu từ trang khảo sát.",
        "This data format is not supported. Please send the form from the survey page.",
    ),
    "error.encoding": (
        "Dữ liệu gửi lên có ký tự không hợp lệ (không phải UTF-8).",
        "What you sent contains invalid characters (not UTF-8).",
    ),
    "error.method": ("Thao tác này không được phép.", "This action is not allowed."),
    "error.unavailable": (
        "Hệ thống đang bận hoặc tạm gián đoạn. Câu trả lời chưa được lưu; vui lòng thử lại sau ít phút.",
        "The service is busy or briefly unavailable. Your answers were not saved; please retry in a minute.",
    ),
    "error.server": (
        "Hệ thống gặp sự cố. Vui lòng thử lại sau.",
        "The service had a problem. Please try again later.",
    ),
    "error.home": ("Về trang chủ", "Home"),
    "home.title": ("Hệ thống khảo sát sự hài lòng của người dân", "Citizen satisfaction survey system"),
    "home.body": (
        "Để đánh giá, vui lòng quét mã QR dán tại quầy tiếp nhận và trả kết quả.",
        "To give your rating, scan the QR code at the service counter.",
    ),
}


def current_lang() -> str:
    """The person's language: ?lang=, then the lang cookie, then Vietnamese."""
    if "lang" not in g:
        asked = request.args.get("lang") or request.cookies.get("lang")
        g.lang = asked if asked in LANGS else DEFAULT_LANG
    return g.lang


def translate(key: str, **values: object) -> str:
    vi, en = MESSAGES[key]
    text = en if current_lang() == "en" else vi
    return text.format(**values) if values else text
