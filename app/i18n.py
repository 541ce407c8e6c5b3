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
    "ui.close": ("Đóng", "Close"),
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
    # Staff sign-in, accounts and access
    "auth.login.title": ("Đăng nhập cho cán bộ", "Staff sign-in"),
    "auth.login.submit": ("Đăng nhập", "Sign in"),
    "auth.username": ("Tên đăng nhập", "Username"),
    "auth.password": ("Mật khẩu", "Password"),
    "auth.login_required": ("Vui lòng đăng nhập để tiếp tục.", "Please sign in to continue."),
    "auth.required": (
        "Vui lòng nhập tên đăng nhập và mật khẩu.",
        "Please enter your username and password.",
    ),
    "auth.failed": ("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."),
    "auth.throttled": (
        "Tài khoản này đã nhập sai mật khẩu quá nhiều lần nên tạm thời bị khóa đăng nhập. "
        "Vui lòng thử lại sau {minutes} phút.",
        "Too many wrong passwords for this account, so signing in is paused. Please try again in {minutes} minute(s).",
    ),
    "auth.logout": ("Đăng xuất", "Sign out"),
    "auth.logged_out": ("Ông/bà đã đăng xuất.", "You have signed out."),
    "auth.account.title": ("Tài khoản", "Account"),
    "auth.account.signed_in_as": ("Đang đăng nhập với tài khoản", "Signed in as"),
    "auth.account.name": ("Họ tên", "Name"),
    "auth.account.role": ("Vai trò", "Role"),
    "auth.account.unit": ("Đơn vị", "Unit"),
    "auth.account.whole_province": ("Toàn tỉnh", "Whole province"),
    "auth.session_expired": (
        "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang rồi thử lại.",
        "Your session expired or the form was not valid. Please reload the page and try again.",
    ),
    "role.admin": ("Quản trị hệ thống", "Administrator"),
    "role.analyst": ("Chuyên viên phân tích (Sở Nội vụ)", "Analyst (Department of Home Affairs)"),
    "role.unit_manager": ("Lãnh đạo đơn vị", "Unit manager"),
    "role.surveyor": ("Điều tra viên", "Surveyor"),
    "password.title": ("Đổi mật khẩu", "Change password"),
    "password.current": ("Mật khẩu hiện tại", "Current password"),
    "password.new": ("Mật khẩu mới", "New password"),
    "password.confirmation": ("Nhập lại mật khẩu mới", "New password again"),
    "password.rules": (
        "Ít nhất {n} ký tự và không trùng tên đăng nhập. Nên dùng một câu dễ nhớ.",
        "At least {n} characters and not your username. A memorable phrase works well.",
    ),
    "password.submit": ("Đổi mật khẩu", "Change password"),
    "password.required": ("Vui lòng điền đủ ba ô mật khẩu.", "Please fill in all three password fields."),
    "password.wrong_current": ("Mật khẩu hiện tại không đúng.", "The current password is wrong."),
    "password.mismatch": ("Hai lần nhập mật khẩu mới không khớp nhau.", "The two new passwords differ."),
    "password.too_short": (
        "Mật khẩu phải có ít nhất {n} ký tự.",
        "The password needs at least {n} characters.",
    ),
    "password.too_long": ("Mật khẩu dài quá {max} ký tự.", "The password is longer than {max} characters."),
    "password.is_username": (
        "Mật khẩu không được trùng với tên đăng nhập.",
        "The password must not be the username.",
    ),
    "password.unchanged": (
        "Mật khẩu mới phải khác mật khẩu hiện tại.",
        "The new password must differ from the current one.",
    ),
    "password.changed": ("Đã đổi mật khẩu.", "Your password has been changed."),
    "account.username_invalid": (
        "Tên đăng nhập gồm 3–80 ký tự: chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới.",
        "A username has 3–80 characters: letters a–z, digits, dot, hyphen or underscore.",
    ),
    "account.username_taken": (
        "Tên đăng nhập “{username}” đã có người dùng.",
        "The username “{username}” is already taken.",
    ),
    "account.role_unknown": ("Vai trò “{role}” không tồn tại.", "There is no role “{role}”."),
    "account.unit_required": (
        "Lãnh đạo đơn vị và điều tra viên phải thuộc một đơn vị.",
        "A unit manager or surveyor must belong to a unit.",
    ),
    "access.denied.title": ("Không có quyền truy cập", "Access denied"),
    "access.denied.body": (
        "Tài khoản của ông/bà không được phép xem trang này. "
        "Nếu cần quyền truy cập, vui lòng liên hệ quản trị hệ thống.",
        "Your account may not open this page. If you need access, please ask the administrator.",
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


# Reports and dashboard
MESSAGES.update(
    {
        "rep.responses": ("{n} phiếu", "{n} responses"),
        "rep.responses_short": ("Số phiếu", "Responses"),
        "rep.snapshot": ("Số liệu lúc", "Data as of"),
        "rep.period": ("Kỳ báo cáo", "Period"),
        "rep.date": ("Ngày trong kỳ / từ ngày", "A day in the period / from"),
        "rep.end": ("Đến ngày (kỳ tùy chọn)", "To (custom period)"),
        "rep.unit": ("Đơn vị", "Unit"),
        "rep.all_units": ("Tất cả đơn vị được xem", "All units you may see"),
        "rep.level": ("Cấp", "Level"),
        "rep.all": ("Tất cả", "All"),
        "rep.procedure": ("Lĩnh vực", "Procedure field"),
        "rep.channel": ("Kênh", "Channel"),
        "rep.grouping": ("Nhóm theo", "Group by"),
        "rep.apply": ("Xem", "Show"),
        "rep.download": ("Tải về", "Download"),
        "rep.summary": ("Tóm tắt", "Summary"),
        "rep.indicator": ("Chỉ số", "Indicator"),
        "rep.ci": ("Khoảng tin cậy 95%", "95% interval"),
        "rep.change": ("Thay đổi so với kỳ trước", "Change since the previous period"),
        "rep.points": ("điểm %", "points"),
        "rep.significant": ("có ý nghĩa", "significant"),
        "rep.chart_units": ("Chỉ số hài lòng chung theo đơn vị", "Overall index by unit"),
        "rep.chart_units_note": (
            "Chấm: giá trị ước lượng; vạch ngang: khoảng tin cậy 95%; đường đứt: toàn bộ. Đỏ: kém hơn có ý nghĩa; "
            "xanh: tốt hơn có ý nghĩa; xám: mẫu nhỏ.",
            "Dot: estimate; bar: 95% interval; dashed line: all units. Red: significantly worse; green: "
            "significantly better; grey: small sample.",
        ),
        "rep.chart_funnel": ("Biểu đồ phễu", "Funnel plot"),
        "rep.chart_funnel_note": (
            "Đường cam: giới hạn 95%; đường đỏ đứt: giới hạn 99,8%, theo cỡ mẫu hiệu dụng.",
            "Orange: 95% limits; dashed red: 99.8% limits, by effective sample size.",
        ),
        "rep.chart_trend": ("Xu hướng chỉ số hài lòng chung", "Trend of the overall index"),
        "rep.harassment": ("Phiền hà, sách nhiễu", "Harassment"),
        "rep.informal_payment": ("Chi ngoài quy định", "Informal payment"),
        "rep.units": ("Kết quả theo đơn vị", "Results by unit"),
        "rep.rank": ("Hạng", "Rank"),
        "rep.verdict": ("So với toàn bộ", "Against all units"),
        "rep.flags_note": (
            "* độ tin cậy thấp (dưới {n} phiếu); “—”: dưới {d} phiếu, không công bố. Hạng trong ngoặc: các hạng "
            "đơn vị có thể đạt khi tính đến khoảng tin cậy.",
            "* low reliability (under {n} responses); “—”: under {d}, not published. Ranks in brackets: the "
            "ranks a unit could hold given the intervals.",
        ),
        "rep.unreliable": ("Độ tin cậy thấp: dưới {n} phiếu", "Low reliability: under {n} responses"),
        "rep.suppressed": ("Không công bố: quá ít phiếu", "Not published: too few responses"),
        "rep.no_data": ("Không có dữ liệu cho bộ lọc này.", "No data for this filter."),
        "rep.criteria": ("Phân bố theo tiêu chí", "Distribution by criterion"),
        "rep.criterion": ("Tiêu chí", "Criterion"),
        "rep.rate": ("Tỷ lệ hài lòng", "Satisfied"),
        "rep.na": ("Không áp dụng", "Not applicable"),
        "rep.comments": ("Ý kiến góp ý", "Comments"),
        "rep.search": ("Tìm trong ý kiến", "Search comments"),
        "rep.filter": ("Lọc", "Filter"),
        "rep.no_comments": ("Không có ý kiến nào.", "No comments."),
        "rep.method": ("Phương pháp", "Method"),
        "verdict.better": ("Tốt hơn", "Better"),
        "verdict.not_distinguishable": ("Không khác biệt", "Not distinguishable"),
        "verdict.worse": ("Kém hơn", "Worse"),
        "period.month": ("Tháng", "Month"),
        "period.quarter": ("Quý", "Quarter"),
        "period.year": ("Năm", "Year"),
        "period.custom": ("Tùy chọn", "Custom"),
    }
)
