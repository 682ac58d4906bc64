"""What an audit entry records as its action: a registry in code, so a new action needs no migration.

The platform registers its own actions here (logins, accounts, tokens, downloads, refusals); an app above
registers its domain's actions in its own `audit_actions` module (`AuditAction.register(...)` at import, so
every module that names one imports that module). The stored value is the code; the audit page, its
filter and its exports read the label from here.
"""


class ActionRegistry:
    """`AuditAction.LOGIN == "login"`; `AuditAction.label("login") == "登录"`; `AuditAction.choices`."""

    def __init__(self):
        self._labels = {}

    def register(self, name, value, label):
        """Register one action under `name`; registering the same action again keeps one."""
        known = self._labels.get(value)
        if known is not None and known != label:
            raise ValueError(f"audit action {value!r} is registered already as {known!r}")
        self._labels[value] = label
        setattr(self, name, value)
        return value

    def label(self, value):
        return self._labels.get(value, value)

    @property
    def choices(self):
        return list(self._labels.items())


AuditAction = ActionRegistry()

for _name, _value, _label in [
    ("LOGIN", "login", "登录"),  # a password typed at the login page: failed ones (see LOGIN_PASSWORD)
    ("LOGIN_PASSWORD", "login_password", "口令通过"),  # the password step passed; a second factor may follow
    ("LOGIN_SUCCESS", "login_success", "登录成功"),  # every step passed: the session is signed in
    ("OTP_FAILED", "otp_failed", "双因素验证失败"),
    ("LOGOUT", "logout", "退出登录"),
    ("LOCKOUT", "lockout", "账号锁定"),
    ("UNLOCK", "unlock", "账号解锁"),
    ("PASSWORD_CHANGE", "password_change", "修改密码"),
    ("PASSWORD_RESET", "password_reset", "重置密码"),
    ("OTP_ADD", "otp_add", "绑定双因素设备"),
    ("OTP_REMOVE", "otp_remove", "解除双因素设备"),
    ("ACCOUNT_CREATE", "account_create", "新建账号"),
    ("ACCOUNT_CHANGE", "account_change", "修改账号"),
    ("ACCOUNT_DEACTIVATE", "account_deactivate", "停用账号"),
    ("ACCOUNT_ACTIVATE", "account_activate", "启用账号"),
    ("ACCOUNT_DELETE", "account_delete", "删除账号"),
    ("ROLE_CHANGE", "role_change", "角色变更"),
    ("TOKEN_CREATE", "token_create", "生成接口令牌"),
    ("TOKEN_REVOKE", "token_revoke", "撤销接口令牌"),
    ("TOKEN_USE", "token_use", "使用他人生成的接口令牌"),  # each request (core/api/token_use.py)
    ("DOWNLOAD", "download", "下载非公开数据"),
    ("ACCESS_DENIED", "access_denied", "越权访问"),
    ("ORPHANS_DELETE", "orphans_delete", "删除无主文件"),  # manage.py orphaned_files --delete (weekly job)
]:
    AuditAction.register(_name, _value, _label)
