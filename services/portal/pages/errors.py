"""A service's refusal or silence as a page a person understands (in Vietnamese, with what to do),
never a stack trace or a service's JSON."""

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from services.portal.clients import ApiError
from services.portal.pages.render import page

SERVICE_VI = {
    "registry": "danh mục cơ quan",
    "compliance": "theo dõi, chấm điểm",
    "training": "đào tạo",
    "notifier": "nhắc việc",
    "identity": "tài khoản",
}


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if exc.status == 401:  # the sign-in ended between the portal's check and the service's
        sign_in = request.app.state.service.settings.sign_in_url
        return RedirectResponse(f"{sign_in}?next={request.url}", status_code=303)
    if exc.status == 404:
        title, text = "Không tìm thấy", "Trang này không có, hoặc Ông/Bà không được xem."
    elif exc.status == 403:
        title, text = "Không có quyền", "Tài khoản của Ông/Bà không được làm việc này."
    else:
        title = "Hệ thống đang bận"
        text = (
            f"Phần {SERVICE_VI.get(exc.service, exc.service)} của hệ thống chưa trả lời. "
            "Mời thử lại sau ít phút; nếu vẫn vậy, xin báo Sở Khoa học và Công nghệ."
        )
    status = exc.status if exc.status in (403, 404) else 503
    return page(request, None, "error.html", status, title=title, text=text)
