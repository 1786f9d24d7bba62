"""A service's refusal or silence as a page a person understands (in Vietnamese, with what to do),
never a stack trace or a service's JSON."""

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from services.portal.audit_words import SERVICE_VI
from services.portal.clients import ApiError
from services.portal.pages.render import page


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if exc.status == 401:  # the sign-in ended between the portal's check and the service's
        sign_in = request.app.state.service.settings.sign_in_url
        return RedirectResponse(f"{sign_in}?next={request.url}", status_code=303)
    if exc.status == 404:
        title, text = "Không tìm thấy", "Không tìm thấy trang, hoặc Ông/Bà không có quyền xem trang này."
    elif exc.status == 403:
        title, text = "Không có quyền", "Tài khoản của Ông/Bà không có quyền thực hiện chức năng này."
    else:
        title = "Hệ thống đang bận"
        text = (
            f"Phần {SERVICE_VI.get(exc.service, exc.service)} của hệ thống tạm thời chưa phản hồi. "
            "Đề nghị thử lại sau ít phút; nếu vẫn không được, đề nghị liên hệ "
            f"{request.app.state.service.portal_settings.department_name}."
        )
    status = exc.status if exc.status in (403, 404) else 503
    return page(request, None, "error.html", status, title=title, text=text)
