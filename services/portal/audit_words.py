"""The audit trail's actions as the department reads them: each audited use case (`<area>.<name>`, as
`services.common.audit.action_of` writes it) by its name, in Vietnamese. A use case audited without
words here shows its code (a unit test lists every audited use case and asks for its words)."""

ACTION_VI: dict[str, str] = {
    "add_course": "thêm khóa học",
    "cancel_enrolment": "hủy đăng ký của học viên",
    "cancel_session": "hủy lớp tập huấn",
    "change_account": "thay đổi tài khoản",
    "change_password": "đổi mật khẩu",
    "create_account": "tạo tài khoản",
    "create_session": "mở lớp tập huấn",
    "dissolve_agency": "giải thể cơ quan",
    "enrol": "đăng ký học viên",
    "evaluate": "chấm điểm định kỳ",
    "give_broker_access": "cấp quyền gửi dữ liệu qua Kafka",
    "import_agencies": "nhập danh mục cơ quan từ tệp",
    "inbound_record": "nhận hồ sơ từ hệ thống khác",
    "invite": "mời cán bộ dùng hệ thống",
    "issue_key": "cấp khóa kết nối",
    "make_plan": "lập kế hoạch kiểm tra",
    "merge_agencies": "sáp nhập cơ quan",
    "move": "đổi lịch kiểm tra",
    "put_record": "gửi hồ sơ ISO",
    "record_attendance": "điểm danh lớp tập huấn",
    "record_result": "ghi kết quả kiểm tra",
    "redrive": "gửi lại dữ liệu bị từ chối",
    "register_agency": "đăng ký cơ quan",
    "register_system": "đăng ký hệ thống kết nối",
    "rename_agency": "đổi tên cơ quan",
    "reparent_agency": "chuyển cơ quan cấp trên",
    "report_action_done": "báo cáo hoàn thành hành động khắc phục",
    "reschedule": "đổi lịch lớp tập huấn",
    "resend_invitation": "gửi lại thư mời",
    "revoke_key": "thu hồi khóa kết nối",
    "sign_out": "đăng xuất",
    "split_agency": "chia tách cơ quan",
    "swap": "đổi cơ quan được kiểm tra",
    "update_agency": "cập nhật thông tin cơ quan",
    "withdraw_broker_access": "thu hồi quyền gửi dữ liệu qua Kafka",
}

#: The services that keep an entry, by the part of eiso a person knows them as.
SERVICE_VI: dict[str, str] = {
    "identity": "tài khoản",
    "registry": "danh mục cơ quan",
    "compliance": "theo dõi, chấm điểm, kiểm tra",
    "training": "đào tạo",
    "notifier": "nhắc việc",
    "portal": "giao diện web",
}


def action_vi(action: str) -> str:
    """`inspections.swap` → "thay cơ quan được kiểm tra"; an action without words, as it is."""
    return ACTION_VI.get(action.rsplit(".", maxsplit=1)[-1], action)
