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
    "form.device_limit": (
        "Thiết bị này đã gửi {n} phiếu cho quầy này hôm nay. Cảm ơn ông/bà; mỗi lần giao dịch chỉ cần một phiếu.",
        "This device has already sent {n} forms for this counter today. Thank you; one form per visit is enough.",
    ),
    "form.number_hint": ("Nhập số từ {a} đến {b}", "Enter a number from {a} to {b}"),
    "form.text_hint": ("Tối đa {n} ký tự", "At most {n} characters"),
    "form.multi_any": ("Có thể chọn nhiều ý.", "You can choose more than one."),
    "form.multi_max": ("Có thể chọn nhiều ý, tối đa {n} ý.", "You can choose more than one, up to {n}."),
    "form.multi_range": ("Chọn từ {a} đến {b} ý.", "Choose from {a} to {b}."),
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


# Surveyors' tablet app, its JSON API and their commands. Keys under "sv."
# are also handed to the tablet's JavaScript (app/surveyor/routes.py).
MESSAGES.update(
    {
        "api.content_type": (
            "Dữ liệu phải gửi dạng JSON (Content-Type: application/json, mã hoá UTF-8).",
            "Send JSON (Content-Type: application/json, UTF-8).",
        ),
        "api.encoding": (
            "Dữ liệu gửi lên có ký tự không hợp lệ (không phải UTF-8).",
            "The body contains invalid characters (not UTF-8).",
        ),
        "api.json": (
            "Dữ liệu không phải JSON hợp lệ (dòng {line}, cột {column}).",
            "The body is not valid JSON (line {line}, column {column}).",
        ),
        "api.json_value": (
            "Dữ liệu JSON có khoá trùng nhau, giá trị NaN/Infinity hoặc số quá lớn.",
            "The JSON has a repeated key, NaN/Infinity or an oversized number.",
        ),
        "api.batch_shape": (
            'Cần một đối tượng JSON dạng {"interviews": [...]}.',
            'Expected a JSON object {"interviews": [...]}.',
        ),
        "api.too_many": (
            "Mỗi lần gửi tối đa {n} phỏng vấn; hãy chia thành nhiều lần.",
            "At most {n} interviews per request; split the batch.",
        ),
        "api.too_large": (
            "Dữ liệu gửi lên quá lớn (tối đa {mb} MB mỗi lần, {n} phỏng vấn).",
            "The body is too large (at most {mb} MB and {n} interviews per request).",
        ),
        "api.csrf": (
            "Thiếu mã bảo vệ (X-CSRFToken) hoặc phiên làm việc đã hết hạn. Hãy tải lại trang; "
            "phỏng vấn vẫn còn trên máy.",
            "The X-CSRFToken header is missing or the session expired. Reload the page; "
            "the interviews stay on the tablet.",
        ),
        "api.unavailable": (
            "Máy chủ tạm thời không lưu được. Chưa có gì được lưu; hãy gửi lại sau ít phút.",
            "The server cannot store anything right now. Nothing was stored; retry in a few minutes.",
        ),
        "api.bad_request": ("Yêu cầu không hợp lệ.", "The request is not valid."),
        "api.not_found": ("Không tìm thấy.", "Not found."),
        "api.item.object": ("Mỗi phỏng vấn phải là một đối tượng JSON.", "Each interview must be a JSON object."),
        "api.item.uuid": (
            "Thiếu mã phỏng vấn (client_uuid) hoặc mã không phải UUID.",
            "client_uuid is missing or not a UUID.",
        ),
        "api.item.assignment": (
            "Thiếu mã phân công (assignment_id) hoặc mã không hợp lệ.",
            "assignment_id is missing or not a valid id.",
        ),
        "api.item.instrument": (
            "Thiếu bộ câu hỏi (instrument) hoặc phiên bản (instrument_version).",
            "instrument or instrument_version is missing or malformed.",
        ),
        "api.item.time": (
            "Thời gian phải theo ISO 8601 và có múi giờ, ví dụ 2026-11-21T08:30:00+07:00.",
            "Times must be ISO 8601 with an offset, e.g. 2026-11-21T08:30:00+07:00.",
        ),
        "api.item.clock": (
            "Thời gian không hợp lý: có thể đồng hồ của máy tính bảng bị sai. Hãy kiểm tra ngày giờ của máy.",
            "Implausible time: the tablet's clock may be wrong. Check its date and time.",
        ),
        "api.item.order": ("Thời điểm bắt đầu sau thời điểm kết thúc.", "The start is after the end."),
        "api.item.device": (
            "Mã máy (device_id) không hợp lệ.",
            "device_id is malformed (8–64 letters, digits, - or _).",
        ),
        "api.item.answers": (
            "Câu trả lời (answers) phải là một đối tượng JSON: mã câu hỏi → câu trả lời.",
            "answers must be a JSON object: question code → answer.",
        ),
        "api.item.characters": (
            "Có ký tự không hợp lệ (không phải UTF-8).",
            "Contains invalid characters (not UTF-8).",
        ),
        "api.item.not_assigned": (
            "Ông/bà không được phân công phỏng vấn ở đơn vị này.",
            "You are not assigned to interview here.",
        ),
        "api.item.outside_dates": (
            "Ngày phỏng vấn nằm ngoài thời gian của phân công.",
            "The interview day is outside the assignment's dates.",
        ),
        "api.item.other_instrument": (
            "Bộ câu hỏi không khớp với phân công.",
            "The instrument does not match the assignment.",
        ),
        "api.item.unknown_version": (
            "Phiên bản bộ câu hỏi không tồn tại hoặc không dùng cho máy tính bảng.",
            "Unknown instrument version, or not one for tablets.",
        ),
        "api.item.not_stored": (
            "Hệ thống không lưu được phỏng vấn này. Vui lòng báo quản trị hệ thống.",
            "This interview could not be stored. Please tell the administrator.",
        ),
        "api.item.conflict": (
            "Mã phỏng vấn này đã được gửi trước đó với câu trả lời khác; bản này không được lưu.",
            "This interview id was sent before with other answers; this copy was not stored.",
        ),
        "assign.not_surveyor": (
            "Tài khoản “{username}” không phải điều tra viên đang hoạt động.",
            "The account “{username}” is not an active surveyor.",
        ),
        "assign.unit_out_of_scope": (
            "Đơn vị {unit} nằm ngoài phạm vi của điều tra viên.",
            "The unit {unit} is outside the surveyor's units.",
        ),
        "assign.point_not_in_unit": ("Quầy {point} không thuộc đơn vị {unit}.", "Counter {point} is not in {unit}."),
        "assign.instrument_unknown": (
            "Bộ câu hỏi “{code}” không tồn tại hoặc không dùng cho máy tính bảng.",
            "There is no instrument “{code}” for tablets.",
        ),
        "assign.target_positive": ("Chỉ tiêu phải lớn hơn 0.", "The target must be above zero."),
        "assign.dates_reversed": ("Ngày kết thúc trước ngày bắt đầu.", "The end date is before the start date."),
        "token.not_surveyor": (
            "Chỉ cấp mã truy cập API cho điều tra viên đang hoạt động (“{username}” không phải).",
            "API tokens are for active surveyors only (“{username}” is not one).",
        ),
        "sv.title": ("Phỏng vấn bằng máy tính bảng", "Tablet interviews"),
        "sv.hello": ("Điều tra viên", "Surveyor"),
        "sv.assignments": ("Phân công của tôi", "My assignments"),
        "sv.no_assignments": (
            "Chưa có phân công nào. Vui lòng liên hệ Sở Nội vụ.",
            "No assignments yet. Please ask the Department of Home Affairs.",
        ),
        "sv.counter": ("Quầy", "Counter"),
        "sv.dates": ("Từ {a} đến {b}", "From {a} to {b}"),
        "sv.dates_open": ("Từ {a}", "From {a}"),
        "sv.progress": ("Đã nhận {done}/{target}", "Received {done} of {target}"),
        "sv.inactive": ("Ngoài thời gian phân công", "Outside the assignment's dates"),
        "sv.start_here": ("Phỏng vấn", "Interview"),
        "sv.local_pending": ("+{n} đang chờ gửi trên máy này", "+{n} waiting on this tablet"),
        "sv.queue": ("Hàng chờ gửi trên máy này", "Queue on this tablet"),
        "sv.queue_empty": ("Không có phỏng vấn nào chờ gửi.", "Nothing waiting to be sent."),
        "sv.waiting": ("Chờ gửi", "Waiting"),
        "sv.sent": ("Đã gửi", "Sent"),
        "sv.failed": ("Bị từ chối", "Refused"),
        "sv.retry": ("Thử gửi lại", "Try again"),
        "sv.send_now": ("Gửi ngay", "Send now"),
        "sv.only_here": (
            "{n} phỏng vấn chỉ có trên máy này (chưa gửi được lên máy chủ).",
            "{n} interview(s) exist only on this tablet (not yet on the server).",
        ),
        "sv.only_here_none": (
            "Mọi phỏng vấn đã hoàn thành đều đã gửi lên máy chủ.",
            "Every finished interview is on the server.",
        ),
        "sv.drafts_here": ("{n} phỏng vấn đang làm dở trên máy này.", "{n} unfinished interview(s) on this tablet."),
        "sv.storage_warning": (
            "Phỏng vấn chưa gửi được lưu trong trình duyệt của máy này. Trình duyệt có thể xoá dữ liệu này "
            "(khi xoá lịch sử, dọn bộ nhớ hay gỡ ứng dụng). Hãy gửi ngay khi có mạng và không xoá dữ liệu trình duyệt.",
            "Unsent interviews are kept in this tablet's browser, which can erase them (clearing history, "
            "freeing space, uninstalling). Send them as soon as there is a network and do not clear browser data.",
        ),
        "sv.persist_yes": ("Trình duyệt đã đồng ý giữ dữ liệu lâu dài.", "The browser agreed to keep the data."),
        "sv.persist_no": (
            "Trình duyệt chưa cam kết giữ dữ liệu lâu dài: hãy cài ứng dụng lên màn hình chính.",
            "The browser has not promised to keep the data: install the app on the home screen.",
        ),
        "sv.online": ("Có mạng", "Online"),
        "sv.offline": ("Mất mạng – vẫn phỏng vấn được", "Offline – you can keep interviewing"),
        "sv.sending": ("Đang gửi…", "Sending…"),
        "sv.next_try": ("Sẽ thử gửi lại lúc {time}", "Next try at {time}"),
        "sv.signed_out": (
            "Phiên đăng nhập đã hết. Hãy đăng nhập lại để gửi; phỏng vấn vẫn còn trên máy.",
            "Your session ended. Sign in again to send; the interviews stay on the tablet.",
        ),
        "sv.sign_in": ("Đăng nhập lại", "Sign in again"),
        "sv.other_account": (
            "{n} phỏng vấn của tài khoản khác ({who}) đang chờ; đăng nhập bằng tài khoản đó để gửi.",
            "{n} interview(s) of another account ({who}) are waiting; sign in as that account to send them.",
        ),
        "sv.offline_ready": ("Sẵn sàng làm việc khi mất mạng.", "Ready to work offline."),
        "sv.offline_preparing": ("Đang chuẩn bị để làm việc khi mất mạng…", "Preparing to work offline…"),
        "sv.offline_unsupported": (
            "Trình duyệt này không hỗ trợ làm việc khi mất mạng. Hãy dùng Chrome bản mới.",
            "This browser cannot work offline. Please use a recent Chrome.",
        ),
        "sv.install": ("Cài ứng dụng lên màn hình chính", "Install the app on the home screen"),
        "sv.logout_warning": (
            "Còn {n} phỏng vấn chưa gửi. Chúng vẫn ở trên máy và sẽ gửi khi tài khoản này đăng nhập lại. "
            "Vẫn đăng xuất?",
            "{n} interview(s) are not sent yet. They stay on the tablet and are sent when this account signs in "
            "again. Sign out anyway?",
        ),
        "sv.back_home": ("Về trang chính", "Back to the start page"),
        "sv.needs_js": (
            "Trang phỏng vấn cần JavaScript. Hãy bật JavaScript hoặc dùng Chrome.",
            "The interview page needs JavaScript. Please enable it or use Chrome.",
        ),
        "sv.loading": ("Đang tải bộ câu hỏi…", "Loading the questionnaire…"),
        "sv.load_failed": (
            "Chưa tải được bộ câu hỏi. Hãy mở trang này một lần khi có mạng.",
            "The questionnaire is not on this tablet yet. Open this page once while online.",
        ),
        "sv.start": ("Bắt đầu phỏng vấn", "Start the interview"),
        "sv.resume": (
            "Tiếp tục phỏng vấn dở (bắt đầu lúc {time})",
            "Continue the unfinished interview (started {time})",
        ),
        "sv.discard": ("Bỏ phỏng vấn dở", "Discard the unfinished interview"),
        "sv.discard_confirm": ("Bỏ phỏng vấn dở này? Câu trả lời sẽ bị xoá.", "Discard this unfinished interview?"),
        "sv.locked": (
            "Một phỏng vấn dở đang mở ở thẻ hoặc cửa sổ khác. Hãy tiếp tục ở đó, hoặc bắt đầu phỏng vấn mới.",
            "An unfinished interview is open in another tab or window. Continue there, or start a new one.",
        ),
        "sv.not_active": (
            "Phân công này hiện không trong thời gian phỏng vấn; phỏng vấn sẽ bị từ chối khi gửi.",
            "This assignment is not running now; interviews would be refused when sent.",
        ),
        "sv.part": ("Phần {i}/{n}", "Part {i} of {n}"),
        "sv.previous": ("Quay lại", "Back"),
        "sv.next": ("Tiếp tục", "Next"),
        "sv.review": ("Xem lại trước khi hoàn thành", "Review before finishing"),
        "sv.edit": ("Sửa", "Edit"),
        "sv.no_answer": ("(không trả lời)", "(no answer)"),
        "sv.finish": ("Hoàn thành và lưu", "Finish and save"),
        "sv.section_errors": ("Còn {n} câu cần trả lời hoặc sửa.", "{n} question(s) need an answer or a fix."),
        "sv.err.required": ("Vui lòng trả lời câu này.", "Please answer this question."),
        "sv.err.choice": ("Câu trả lời không hợp lệ, vui lòng chọn lại.", "Invalid answer, please choose again."),
        "sv.err.number": ("Vui lòng nhập một số nguyên.", "Please enter a whole number."),
        "sv.err.range": ("Vui lòng nhập số từ {a} đến {b}.", "Please enter a number from {a} to {b}."),
        "sv.err.too_long": ("Nội dung quá dài (tối đa {n} ký tự).", "Too long (at most {n} characters)."),
        "sv.err.duplicate": ("Mỗi lựa chọn chỉ được chọn một lần.", "Each choice can be chosen only once."),
        "sv.err.exclusive": (
            "Không thể chọn “{label}” cùng với các ý khác.",
            "“{label}” cannot be combined with other choices.",
        ),
        "sv.err.choices_max": ("Vui lòng chọn tối đa {n} ý.", "Please choose at most {n}."),
        "sv.err.choices_range": ("Vui lòng chọn từ {a} đến {b} ý.", "Please choose from {a} to {b}."),
        "sv.err.choices_exact": ("Vui lòng chọn đúng {n} ý.", "Please choose exactly {n}."),
        "sv.multi_any": ("Có thể chọn nhiều ý.", "You can choose more than one."),
        "sv.multi_max": ("Có thể chọn nhiều ý, tối đa {n} ý.", "You can choose more than one, up to {n}."),
        "sv.multi_range": ("Chọn từ {a} đến {b} ý.", "Choose from {a} to {b}."),
        "sv.saved": ("Đã lưu phỏng vấn trên máy", "Interview saved on this tablet"),
        "sv.save_failed": (
            "Không lưu được trên máy (bộ nhớ đầy hoặc bị chặn). Đừng đóng trang; giải phóng bộ nhớ rồi bấm lại.",
            "Could not save on this tablet (storage full or blocked). Keep this page open, free some space "
            "and press again.",
        ),
        "sv.saved_body": (
            "Phỏng vấn sẽ được gửi lên máy chủ ngay khi có mạng, không cần làm gì thêm.",
            "It is sent to the server as soon as there is a network; nothing else to do.",
        ),
        "sv.next_interview": ("Phỏng vấn tiếp", "Next interview"),
        "sv.started_at": ("Bắt đầu", "Started"),
        "sv.finished_at": ("Kết thúc", "Finished"),
        "sv.minutes": ("{n} phút", "{n} min"),
        "sv.reason": ("Lý do", "Reason"),
        "sv.network_error": ("Không kết nối được máy chủ.", "Could not reach the server."),
        "sv.server_error": ("Máy chủ trả lỗi {status}.", "The server answered {status}."),
        "sv.attempts": ("đã thử {n} lần", "{n} attempt(s)"),
        "sv.to_account": ("Trang điều tra (phỏng vấn bằng máy tính bảng)", "Surveyor page (tablet interviews)"),
    }
)

# Administration (/quan-tri), rate limits
MESSAGES.update(
    {
        "ratelimit.title": ("Vui lòng đợi một chút", "Please wait a moment"),
        "ratelimit.body": (
            "Có quá nhiều lượt gửi từ thiết bị hoặc mạng này trong thời gian ngắn. "
            "Vui lòng đợi khoảng một phút rồi thử lại.",
            "Too many requests came from this device or network in a short time. "
            "Please wait about a minute and try again.",
        ),
        "password.temporary": (
            "Mật khẩu của ông/bà do quản trị hệ thống đặt tạm. Vui lòng đổi sang mật khẩu của riêng mình.",
            "Your password was set by the administrator as a temporary one. Please change it to your own.",
        ),
        "adm.title": ("Quản trị hệ thống", "Administration"),
        "adm.link": ("Quản trị", "Admin"),
        "adm.home": ("Tổng quan", "Overview"),
        "adm.units": ("Đơn vị", "Units"),
        "adm.unit": ("Đơn vị", "Unit"),
        "adm.points": ("Quầy tiếp nhận", "Service points"),
        "adm.point": ("Quầy", "Service point"),
        "adm.users": ("Tài khoản", "Accounts"),
        "adm.instruments": ("Bộ câu hỏi", "Instruments"),
        "adm.responses": ("Rà soát phiếu", "Response review"),
        "adm.audit": ("Nhật ký thao tác", "Audit log"),
        "adm.home.retired_units": ("{n} đơn vị đã ngừng hoạt động", "{n} retired units"),
        "adm.home.posters": ("Mã QR và áp phích", "QR codes and posters"),
        "adm.home.inactive_users": ("{n} tài khoản đã khóa", "{n} deactivated"),
        "adm.home.instruments": ("Phiên bản đang dùng", "Versions in use"),
        "adm.home.excluded": ("phiếu bị loại", "excluded responses"),
        "adm.home.audit": ("Ai đã làm gì, khi nào", "Who did what, and when"),
        "adm.code": ("Mã", "Code"),
        "adm.code.hint": (
            "Mã ổn định dùng trong báo cáo và khi nhập tệp: chữ không dấu, số, dấu chấm, gạch ngang.",
            "A stable code used in reports and imports: letters a–z, digits, dot, hyphen.",
        ),
        "adm.name": ("Tên", "Name"),
        "adm.level": ("Cấp", "Level"),
        "adm.parent": ("Đơn vị cấp trên", "Parent unit"),
        "adm.parent.hint": (
            "Sở, ngành và huyện thuộc tỉnh; xã thuộc huyện hoặc trực thuộc tỉnh. Tỉnh không có cấp trên.",
            "Departments and districts belong to the province; communes to a district or the province. "
            "A province has no parent.",
        ),
        "adm.status": ("Trạng thái", "Status"),
        "adm.active": ("Đang hoạt động", "Active"),
        "adm.retired": ("Ngừng hoạt động", "Retired"),
        "adm.points_active": ("Quầy đang dùng", "Active points"),
        "adm.create": ("Thêm", "Add"),
        "adm.save": ("Lưu", "Save"),
        "adm.saved": ("Đã lưu thay đổi.", "Changes saved."),
        "adm.confirm": ("Tôi đã hiểu và xác nhận thao tác này", "I understand and confirm this action"),
        "adm.confirm_required": (
            "Vui lòng đánh dấu ô xác nhận trước khi thực hiện.",
            "Please tick the confirmation box first.",
        ),
        "adm.form_invalid": ("Biểu mẫu không hợp lệ. Vui lòng thử lại.", "The form was not valid. Please try again."),
        "adm.not_found": ("Không tìm thấy mục này.", "Not found."),
        "adm.name_invalid": (
            "Tên không được để trống và dài tối đa {max} ký tự.",
            "A name is required (at most {max} characters).",
        ),
        "adm.code_invalid": (
            "Mã gồm 1–40 ký tự: chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới.",
            "A code has 1–40 characters: letters a–z, digits, dot, hyphen or underscore.",
        ),
        "adm.found": ("Tìm thấy {n} mục.", "{n} found."),
        "adm.pages": ("Trang", "Pages"),
        "adm.page_of": ("Trang {page}/{pages}", "Page {page} of {pages}"),
        "adm.prev": ("Trang trước", "Previous"),
        "adm.next": ("Trang sau", "Next"),
        "adm.filter.from": ("Từ ngày", "From"),
        "adm.filter.to": ("Đến ngày", "To"),
        "adm.filter.bad_date": (
            "Ngày “{value}” không hợp lệ (cần dạng YYYY-MM-DD).",
            "“{value}” is not a date (YYYY-MM-DD).",
        ),
        # units
        "adm.units.tree": ("Cây đơn vị", "Unit tree"),
        "adm.units.none": (
            "Chưa có đơn vị nào. Hãy thêm tỉnh hoặc nhập danh sách đơn vị từ tệp.",
            "No units yet. Add the province or import the unit list from a file.",
        ),
        "adm.unit.create": ("Thêm đơn vị", "Add a unit"),
        "adm.unit.created": ("Đã thêm đơn vị {code}.", "Unit {code} added."),
        "adm.unit.children": ("Đơn vị cấp dưới", "Units below"),
        "adm.unit.rename": ("Đổi tên", "Rename"),
        "adm.unit.move": ("Chuyển sang đơn vị cấp trên khác", "Move under another parent"),
        "adm.unit.move.help": (
            "Các đơn vị cấp dưới, quầy, tài khoản và phiếu của đơn vị đi theo đơn vị sang vị trí mới.",
            "The units below, service points, accounts and responses of this unit move with it.",
        ),
        "adm.unit.move.submit": ("Chuyển", "Move"),
        "adm.unit.moved": ("Đã chuyển đơn vị.", "Unit moved."),
        "adm.unit.retire": ("Ngừng hoạt động", "Retire"),
        "adm.unit.retire.help": (
            "Đơn vị đã ngừng (sáp nhập, giải thể) vẫn được giữ cùng số liệu cũ; mã QR của các quầy sẽ báo "
            "“không còn sử dụng”.",
            "A retired unit (merged, dissolved) is kept with its past figures; its QR codes will say "
            "“no longer in use”.",
        ),
        "adm.unit.retire.subtree": (
            "Ngừng luôn {n} đơn vị cấp dưới đang hoạt động",
            "Also retire the {n} active units below",
        ),
        "adm.unit.retired_n": ("Đã ngừng hoạt động {n} đơn vị.", "{n} unit(s) retired."),
        "adm.unit.restore": ("Khôi phục hoạt động", "Restore"),
        "adm.unit.restore.help": (
            "Khôi phục đơn vị này cùng các đơn vị cấp dưới đã ngừng cùng lúc với nó.",
            "Brings back this unit and the units below it that were retired together with it.",
        ),
        "adm.unit.restored_n": ("Đã khôi phục {n} đơn vị.", "{n} unit(s) restored."),
        "adm.unit.code_taken": ("Mã đơn vị “{code}” đã tồn tại.", "The unit code “{code}” already exists."),
        "adm.unit.level_invalid": ("Cấp đơn vị không hợp lệ.", "Unknown unit level."),
        "adm.unit.parent_required": ("Vui lòng chọn đơn vị cấp trên.", "Please choose the parent unit."),
        "adm.unit.province_has_no_parent": ("Tỉnh không có đơn vị cấp trên.", "A province has no parent unit."),
        "adm.unit.parent_level.department": ("Sở, ngành phải thuộc tỉnh.", "A department belongs to the province."),
        "adm.unit.parent_level.district": ("Huyện phải thuộc tỉnh.", "A district belongs to the province."),
        "adm.unit.parent_level.commune": (
            "Xã phải thuộc một huyện hoặc trực thuộc tỉnh.",
            "A commune belongs to a district or directly to the province.",
        ),
        "adm.unit.parent_retired": ("Đơn vị cấp trên đã ngừng hoạt động.", "The parent unit is retired."),
        "adm.unit.move_into_itself": (
            "Không thể chuyển đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó.",
            "A unit cannot be moved under itself or under a unit below it.",
        ),
        "adm.unit.retired": ("Đơn vị đã ngừng hoạt động.", "The unit is retired."),
        "adm.unit.not_retired": ("Đơn vị đang hoạt động.", "The unit is not retired."),
        "adm.unit.has_active_children": (
            "Đơn vị còn {n} đơn vị cấp dưới đang hoạt động. Đánh dấu “Ngừng luôn các đơn vị cấp dưới” nếu muốn "
            "ngừng cả nhánh.",
            "{n} units below are still active. Tick “Also retire the active units below” to retire the whole branch.",
        ),
        # import
        "adm.import.title": ("Nhập danh sách đơn vị từ tệp", "Import the unit list from a file"),
        "adm.import.help": (
            "Tệp CSV (UTF-8) hoặc Excel (.xlsx), dòng đầu là tên cột: ma, ten, cap (tinh, so, huyen, xa), "
            "ma_cap_tren (để trống với tỉnh).",
            "A CSV (UTF-8) or Excel (.xlsx) file whose first row names the columns: ma (code), ten (name), "
            "cap (tinh, so, huyen, xa), ma_cap_tren (parent code, empty for the province).",
        ),
        "adm.import.rules": (
            "Nhập tất cả hoặc không nhập gì: nếu có dòng sai, không dòng nào được lưu và các lỗi được liệt kê theo "
            "số dòng. Nhập lại cùng tệp không tạo trùng: đơn vị đã có được giữ nguyên (hoặc đổi tên theo tệp).",
            "All or nothing: if any row is wrong, nothing is stored and the errors are listed by row number. "
            "Importing the same file again adds nothing: existing units stay (renamed if the file says so).",
        ),
        "adm.import.file": ("Tệp", "File"),
        "adm.import.submit": ("Nhập", "Import"),
        "adm.import.no_file": ("Vui lòng chọn tệp .csv hoặc .xlsx.", "Please choose a .csv or .xlsx file."),
        "adm.import.refused": (
            "Tệp có lỗi nên chưa đơn vị nào được nhập. Sửa các dòng dưới đây rồi nhập lại.",
            "The file has errors, so nothing was imported. Fix the rows below and import again.",
        ),
        "adm.import.errors": ("{n} dòng có lỗi", "{n} row(s) with errors"),
        "adm.import.row": ("Dòng", "Row"),
        "adm.import.reason": ("Lỗi", "Problem"),
        "adm.import.done": (
            "Đã nhập: {created} đơn vị mới, {renamed} đổi tên, {unchanged} giữ nguyên.",
            "Imported: {created} new units, {renamed} renamed, {unchanged} unchanged.",
        ),
        # service points
        "adm.points.none": ("Đơn vị chưa có quầy nào.", "This unit has no service points."),
        "adm.point.create": ("Thêm quầy", "Add a service point"),
        "adm.point.created": ("Đã thêm quầy {code}.", "Service point {code} added."),
        "adm.point.code.hint": (
            "Mã ngắn, không trùng trong đơn vị, ví dụ Q01.",
            "A short code unique in the unit, e.g. Q01.",
        ),
        "adm.point.code_taken": ("Đơn vị đã có quầy mã “{code}”.", "The unit already has a point coded “{code}”."),
        "adm.point.edit": ("Tên và lĩnh vực", "Name and procedure field"),
        "adm.procedure_field": ("Lĩnh vực", "Procedure field"),
        "adm.procedure_field.hint": (
            "Không bắt buộc, ví dụ: Tư pháp – hộ tịch.",
            "Optional, e.g. Justice and civil status.",
        ),
        "adm.point.procedure_too_long": ("Lĩnh vực dài tối đa {max} ký tự.", "At most {max} characters."),
        "adm.qr": ("Mã QR", "QR code"),
        "adm.posters": ("Tải áp phích QR (PDF)", "Download QR posters (PDF)"),
        "adm.posters.help": (
            "Mỗi quầy đang hoạt động của đơn vị này và các đơn vị cấp dưới một trang A4.",
            "One A4 page per active service point of this unit and the units below it.",
        ),
        "adm.posters.none": (
            "Đơn vị này và các đơn vị cấp dưới chưa có quầy nào đang hoạt động.",
            "This unit and the units below it have no active service points.",
        ),
        "adm.point.rotate": ("Đổi mã QR", "Replace the QR code"),
        "adm.point.rotate.help": (
            "Dùng khi mã QR bị lộ hoặc bị dán sai chỗ. Áp phích cũ sẽ báo “Mã QR này không còn sử dụng”; "
            "cần in và dán áp phích mới.",
            "Use it when a code leaked or was put up in the wrong place. Old posters will say “This QR code is no "
            "longer in use”; print and put up the new poster.",
        ),
        "adm.point.rotated": ("Đã đổi mã QR. Hãy in áp phích mới.", "QR code replaced. Print the new poster."),
        "adm.point.retire": ("Ngừng quầy", "Retire the service point"),
        "adm.point.retire.help": (
            "Quầy ngừng vẫn được giữ cùng các phiếu đã nhận; mã QR của quầy sẽ báo “không còn sử dụng”.",
            "A retired point keeps its responses; its QR code will say “no longer in use”.",
        ),
        "adm.point.retired_done": ("Đã ngừng quầy.", "Service point retired."),
        "adm.point.retired_note": (
            "Quầy đã ngừng: mã QR không còn sử dụng.",
            "Retired: its QR code is no longer in use.",
        ),
        "adm.point.restore": ("Khôi phục quầy", "Restore the service point"),
        "adm.point.restored": ("Đã khôi phục quầy.", "Service point restored."),
        "adm.point.retired": ("Quầy đã ngừng hoạt động.", "The service point is retired."),
        "adm.point.not_retired": ("Quầy đang hoạt động.", "The service point is active."),
        # accounts
        "adm.user.create": ("Thêm tài khoản", "Add an account"),
        "adm.user.create.help": (
            "Đặt một mật khẩu tạm và trao cho người dùng; họ sẽ được yêu cầu đổi ở lần đăng nhập đầu.",
            "Set a temporary password and give it to the person; they are asked to change it when they first sign in.",
        ),
        "adm.user.created": ("Đã tạo tài khoản {username}.", "Account {username} created."),
        "adm.user.edit": ("Vai trò và đơn vị", "Role and unit"),
        "adm.user.inactive": ("Đã khóa", "Deactivated"),
        "adm.user.last_login": ("Đăng nhập gần nhất", "Last sign-in"),
        "adm.user.created_at": ("Ngày tạo", "Created"),
        "adm.user.password_changed": ("Mật khẩu đặt lúc", "Password set"),
        "adm.user.temporary": ("mật khẩu tạm, chưa đổi", "temporary, not changed yet"),
        "adm.user.temporary_password": ("Mật khẩu tạm", "Temporary password"),
        "adm.user.reset": ("Đặt lại mật khẩu", "Reset the password"),
        "adm.user.reset.help": (
            "Mọi phiên đăng nhập của người này kết thúc; họ đăng nhập bằng mật khẩu tạm rồi đổi mật khẩu.",
            "Every session of this person ends; they sign in with the temporary password and then change it.",
        ),
        "adm.user.password_set": ("Đã đặt mật khẩu tạm.", "Temporary password set."),
        "adm.user.access": ("Quyền đăng nhập", "Access"),
        "adm.user.deactivate.help": (
            "Tài khoản bị khóa không đăng nhập được và mọi phiên đang mở kết thúc; lịch sử vẫn được giữ.",
            "A deactivated account cannot sign in and its open sessions end; its history is kept.",
        ),
        "adm.user.deactivate": ("Khóa tài khoản", "Deactivate"),
        "adm.user.reactivate": ("Mở khóa tài khoản", "Reactivate"),
        "adm.user.deactivated": ("Đã khóa tài khoản.", "Account deactivated."),
        "adm.user.reactivated": ("Đã mở khóa tài khoản.", "Account reactivated."),
        "adm.user.not_yourself": (
            "Không thể tự bỏ quyền quản trị hoặc tự khóa tài khoản của mình.",
            "You cannot remove your own administrator role or deactivate yourself.",
        ),
        "adm.user.last_admin": (
            "Đây là quản trị viên cuối cùng đang hoạt động; hãy tạo quản trị viên khác trước.",
            "This is the last active administrator; create another one first.",
        ),
        "adm.user.own_password": (
            "Hãy đổi mật khẩu của chính mình ở trang Đổi mật khẩu.",
            "Change your own password on the Change password page.",
        ),
        "adm.user.self_note": ("Đây là tài khoản của ông/bà.", "This is your own account."),
        # instruments
        "adm.instrument.help": (
            "Mỗi bộ câu hỏi chỉ dùng một phiên bản cho phiếu mới; phiếu cũ giữ phiên bản đã trả lời.",
            "Each instrument uses one version for new responses; earlier responses keep the version they answered.",
        ),
        "adm.instrument.version": ("Phiên bản", "Version"),
        "adm.instrument.title": ("Tên", "Title"),
        "adm.instrument.registered": ("Đăng ký lúc", "Registered"),
        "adm.instrument.responses": ("Phiếu", "Responses"),
        "adm.instrument.excluded": ("Bị loại", "Excluded"),
        "adm.instrument.in_use": ("Đang dùng", "In use"),
        "adm.instrument.not_in_use": ("Không dùng", "Not in use"),
        "adm.instrument.activate": ("Dùng phiên bản này", "Use this version"),
        "adm.instrument.activated": ("Phiếu mới sẽ dùng {version}.", "New responses will use {version}."),
        "adm.instrument.no_file": (
            "Không tìm thấy tệp {version} trong thư mục bộ câu hỏi nên không thể dùng phiên bản này.",
            "The file {version} is not among the instrument files, so this version cannot be used.",
        ),
        "adm.instrument.no_file_short": ("không có tệp", "no file"),
        "adm.instrument.source": ("Nội dung tệp", "File content"),
        "adm.instrument.checksum": ("Mã kiểm tra (SHA-256)", "Checksum (SHA-256)"),
        # response review
        "adm.review.help": (
            "Phiếu bị loại không bị xóa: vẫn được lưu kèm lý do, không tính vào số liệu, và có thể khôi phục.",
            "An excluded response is not deleted: it is kept with its reason, left out of the figures, "
            "and can be restored.",
        ),
        "adm.review.status.submitted": ("Được tính", "Counted"),
        "adm.review.status.excluded": ("Bị loại", "Excluded"),
        "adm.review.received": ("Nhận lúc", "Received"),
        "adm.review.day": ("Ngày giao dịch", "Visit day"),
        "adm.review.response": ("Phiếu số {id}", "Response {id}"),
        "adm.review.answers": ("Câu trả lời", "Answers"),
        "adm.review.question": ("Câu hỏi", "Question"),
        "adm.review.answer": ("Trả lời", "Answer"),
        "adm.review.anonymous": (
            "Phiếu ẩn danh: hệ thống không lưu địa chỉ IP, trình duyệt hay số điện thoại của người trả lời.",
            "Anonymous: no IP address, browser or phone number of the respondent is stored.",
        ),
        "adm.review.exclude": ("Loại phiếu khỏi số liệu", "Exclude from the figures"),
        "adm.review.exclude.help": (
            "Ví dụ: phiếu thử nghiệm, phiếu gửi hàng loạt từ một máy, phiếu nhập trùng. Lý do được ghi vào nhật ký.",
            "E.g. a test response, a burst from one device, a duplicate entry. The reason goes into the audit log.",
        ),
        "adm.review.reason": ("Lý do", "Reason"),
        "adm.review.reason_required": ("Vui lòng ghi lý do loại phiếu.", "Please give the reason for excluding it."),
        "adm.review.reason_too_long": ("Lý do dài tối đa {max} ký tự.", "At most {max} characters."),
        "adm.review.excluded": ("Đã loại phiếu khỏi số liệu.", "Response excluded from the figures."),
        "adm.review.restore": ("Tính lại phiếu này", "Count this response again"),
        "adm.review.restore.help": (
            "Phiếu sẽ được tính lại vào số liệu.",
            "The response will count in the figures again.",
        ),
        "adm.review.restored": ("Đã tính lại phiếu.", "Response counted again."),
        "adm.review.already_excluded": ("Phiếu này đã bị loại.", "This response is already excluded."),
        "adm.review.not_excluded": ("Phiếu này đang được tính.", "This response is not excluded."),
        "adm.review.unknown_unit": ("Không có đơn vị mã “{code}”.", "There is no unit coded “{code}”."),
        "adm.review.unknown_status": ("Trạng thái không hợp lệ.", "Unknown status."),
        # audit log
        "adm.audit.at": ("Thời gian", "When"),
        "adm.audit.user": ("Người thực hiện", "Who"),
        "adm.audit.action": ("Thao tác", "Action"),
        "adm.audit.target": ("Đối tượng", "Target"),
        "adm.audit.detail": ("Chi tiết", "Detail"),
        "adm.audit.csv": ("Tải CSV", "Download CSV"),
    }
)
