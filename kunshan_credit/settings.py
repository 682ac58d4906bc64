"""Settings for kunshan_credit, read from the environment.

Every value that differs between a laptop and the office's server comes from an
environment variable through the typed helpers below; a malformed value stops
the process at start-up instead of surfacing later as odd behaviour.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kunshan_credit import logs

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None):
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_rate(name, default):
    """A DRF throttle rate such as "60/min" (number/second|minute|hour|day)."""
    value = env_str(name, default)
    number, _, period = value.partition("/")
    if not number.strip().isdigit() or period.strip()[:1] not in ("s", "m", "h", "d"):
        raise ImproperlyConfigured(f"{name} must be a rate like 60/min or 1000/hour, got {value!r}")
    return value


def env_json(name, default):
    """A JSON object, e.g. a storage backend's OPTIONS."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        parsed = json.loads(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a JSON object, got {value!r}") from None
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, got {value!r}")
    return parsed


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name, default=""):
    """An absolute http(s) URL without a trailing slash; empty when the default is empty."""
    from urllib.parse import urlsplit

    value = env_str(name, default).strip().rstrip("/")
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(f"{name} must be an absolute http(s) URL, got {value!r}")
    return value


def env_addresses(name):
    """Named addresses, "姓名 <a@b>, b@c": [(name, address)], as ADMINS takes them."""
    from email.utils import getaddresses

    value = env_str(name, "").strip()
    if not value:
        return []
    pairs = getaddresses([value])
    if not pairs or any("@" not in address or " " in address for _, address in pairs):
        raise ImproperlyConfigured(f"{name} must be addresses like 姓名 <a@b.cn>, c@d.cn, got {value!r}")
    return pairs


def env_choice(name, default, choices):
    value = env_str(name, default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set a long random value, or DJANGO_DEBUG=1 for development."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production-kunshan"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too weak: use at least 50 random characters.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin on the portal's site class: the second factor, the office's header (core/security/apps.py).
    "core.security.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Widget templates for FORM_RENDERER (TemplatesSetting looks them up through the template engines).
    "django.forms",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "import_export",
    # django-axes and django-otp's device apps under Chinese names (core/security/apps.py).
    "core.security.apps.AxesConfig",
    "django_otp",
    "core.security.apps.OTPTOTPConfig",
    "core.security.apps.OTPStaticConfig",
    "csp",
    # The platform under the domain apps: the office row, login security, the audit log (append-only).
    "core",
    "core.security",
    "core.audit",
    "assessment",
    # Reminders, digests and their channels (e-mail, WeCom/DingTalk robots).
    "assessment.notify",
    # Accounts the office manages in the browser (phone, forced change of a temporary password).
    "assessment.accounts",
    "bulletins",
    "cases",
    # The top layer: URL wiring, API tokens and the management commands that span every app.
    "kunshan_credit",
]

MIDDLEWARE = [
    # Outermost: HEAD gets GET's headers without its body under any server (gunicorn sends what it is given).
    "core.head.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the rest, so even a 400 raised by CommonMiddleware (a foreign Host) carries the policy.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.security.sessions.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Receives uploads before the CSRF check reads the form: a full disk is a Chinese 507, not a 500.
    "core.stored_files.FullDiskUploadMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The request being served, for the audit log's addresses; every 403 becomes an audit entry.
    "core.audit.middleware.AuditMiddleware",
    # A request with an API token someone other than its holder made: one audit entry (core/api/token_use.py).
    "core.api.token_use.TokenUseAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.security.middleware.LoginGateMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.accel.AccelRedirectMiddleware",
    # Last, as django-axes asks: it turns a lockout raised while logging in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kunshan_credit.urls"

# Every form renders through templates/forms/ (label above, help under, each error once beside its field).
FORM_RENDERER = "core.forms.PortalFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assessment.context_processors.capabilities",
                "assessment.context_processors.todo",
                "core.context_processors.office",
                "kunshan_credit.menu.menu",
            ],
        },
    },
]

WSGI_APPLICATION = "kunshan_credit.wsgi.application"

# SQLite file in the checkout by default; DATABASE_URL=postgres://… for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "core.security.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("DJANGO_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # A level-3 system's rules (core.security.passwords): three kinds of character, not the username,
    # not the current password nor one of the last five.
    {"NAME": "core.security.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "core.security.passwords.UsernameValidator"},
    {"NAME": "core.security.passwords.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
    # Validates nothing: records when a password was set (its age, the end of a forced change).
    {"NAME": "core.security.passwords.PasswordChangeRecorder"},
]
# A password older than this many days must be changed at the next page; 0 turns the rule off.
PASSWORD_MAX_AGE_DAYS = env_int("DJANGO_PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_RESET_TIMEOUT = env_int("DJANGO_PASSWORD_RESET_TIMEOUT", 2 * 60 * 60)

# --- Login failures (django-axes): an account is locked after N failures, per account, in the database
# (so every worker counts the same failures); the security administrator unlocks it (/accounts/manage/),
# or it cools off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_AXES_COOLOFF_MINUTES", 30))
# Per account: the office's computers may share one address behind NAT, and locking an address would lock
# every colleague out at once; an attacker rotating addresses still meets the account's own count.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.security.views.lockout"
# Per account, and per address over any names (spraying): core.security.lockout.
AXES_HANDLER = "core.security.lockout.PortalAxesHandler"
AXES_ADDRESS_FAILURE_LIMIT = env_int("DJANGO_AXES_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已被暂时锁定，请稍后再试或联系市信用办解锁。"
AXES_PERMALOCK_MESSAGE = AXES_COOLOFF_MESSAGE
# The client's address as the audit log and the API's throttles read it (core.clients: the proxy count below).
AXES_CLIENT_IP_CALLABLE = "core.clients.axes_client_ip"


# --- Second factor (django-otp): TOTP with backup codes for office staff and anyone who can open the admin.
def _totp_issuer(device):
    """The name an authenticator app shows: the office's site title (data, core.office.models)."""
    from core.office.models import get_office

    return get_office().site_title


OTP_TOTP_ISSUER = _totp_issuer
# Wrong second-factor codes in a row before the account is locked (as after AXES_FAILURE_LIMIT passwords).
OTP_FAILURE_LIMIT = env_int("DJANGO_OTP_FAILURE_LIMIT", 5)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Our own translations of what Django's zh_Hans catalogs lack (admin JS: "Choose all %s"…).
LOCALE_PATHS = [BASE_DIR / "locale"]
# A refused CSRF check answers with a Chinese page (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "core.csrf.csrf_failure"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# The folders Typst takes the PDF's fonts from (templates/bulletins/issue_pdf.typ sets Noto Serif CJK SC, Debian's
# fonts-noto-cjk); comma-separated. A font missing there stops the PDF with Typst's message (bulletins/typeset.py).
PDF_FONT_PATHS = env_list("DJANGO_PDF_FONT_PATHS", ["/usr/share/fonts/opentype/noto"])
# A published issue's table longer than this many units shows its first page on the issue's page and its other
# pages each on their own (bulletins/published.py): a province's page is not megabytes on a phone. The files are whole.
BULLETIN_TABLE_PAGE_ROWS = env_int("DJANGO_BULLETIN_TABLE_PAGE_ROWS", 200)
# Uploaded evidence and attachments: outside static/, served only through views that check access.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# The nightly backup's directory (manage.py backup without a path; the job `backup`), and how long archives
# are kept there (the job `prune_backups`): the newest DJANGO_BACKUP_KEEP_COUNT, and any younger than
# DJANGO_BACKUP_KEEP_DAYS days.
BACKUP_DIR = Path(env_str("DJANGO_BACKUP_DIR", "/var/backups/kunshan_credit"))
BACKUP_KEEP_DAYS = env_int("DJANGO_BACKUP_KEEP_DAYS", 14)
BACKUP_KEEP_COUNT = env_int("DJANGO_BACKUP_KEEP_COUNT", 7)
if BACKUP_KEEP_COUNT < 1 or BACKUP_KEEP_DAYS < 0:
    raise ImproperlyConfigured("DJANGO_BACKUP_KEEP_COUNT must be at least 1, DJANGO_BACKUP_KEEP_DAYS at least 0")
# The key that signs every archive (HMAC-SHA256 over its manifest); restore refuses an archive it did not sign.
# Kept outside the database and the backups (the environment file), the same on the machine that restores.
BACKUP_KEY = env_str("DJANGO_BACKUP_KEY", "")
# Encrypts every archive when set (AES-256-GCM, kunshan_credit/backup_crypto.py; named .tar.gz.enc): restore needs
# the same key. Empty: archives are written unencrypted (and still signed). Kept like DJANGO_BACKUP_KEY.
BACKUP_ENCRYPTION_KEY = env_str("DJANGO_BACKUP_ENCRYPTION_KEY", "")
if BACKUP_ENCRYPTION_KEY and len(BACKUP_ENCRYPTION_KEY) < 32:
    raise ImproperlyConfigured("DJANGO_BACKUP_ENCRYPTION_KEY is too short: use at least 32 random characters.")
# The key of the audit log's chain (HMAC-SHA256 over each entry and the previous entry's hash, core/audit/chain.py).
# Default: DJANGO_SECRET_KEY. A key of its own lets the secret key be rotated without breaking the chain; it must
# never change for the life of the log (verify_audit would report every older entry as changed).
AUDIT_KEY = env_str("DJANGO_AUDIT_KEY", "") or SECRET_KEY
# Run after each backup to copy the archive off this machine, `{archive}` standing for its path, e.g.
# `rsync -a {archive} backup-host:/srv/backups/kunshan_credit/`. A failure fails the backup job. Default: none.
BACKUP_OFFSITE_COMMAND = env_str("DJANGO_BACKUP_OFFSITE_COMMAND", "")
# Behind nginx: the internal location that serves MEDIA_ROOT (deploy/nginx); a download the view has
# allowed is then sent by nginx (X-Accel-Redirect, core/accel.py). Empty: the app sends it.
ACCEL_REDIRECT_PREFIX = env_str("DJANGO_ACCEL_REDIRECT", "")
# More than one machine: media on object storage (django-storages, e.g. storages.backends.s3.S3Storage,
# with its OPTIONS as JSON: bucket_name, endpoint_url, …). Default: files under MEDIA_ROOT.
STORAGES["default"] = {
    "BACKEND": env_str("DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"),
    "OPTIONS": env_json("DJANGO_MEDIA_STORAGE_OPTIONS", {}),
}

LOGIN_URL = "login"
# Signed in, one lands on one's 待办 (assessment.todo); anonymous readers keep the published issue as home.
LOGIN_REDIRECT_URL = "todo"
LOGOUT_REDIRECT_URL = "home"
# An office session: ends after two idle hours or when the browser closes.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_AGE", 2 * 60 * 60)
# The expiry moves forward at most every SESSION_REFRESH_SECONDS (core.security.sessions), not on every request.
SESSION_REFRESH_SECONDS = env_int("DJANGO_SESSION_REFRESH_SECONDS", 5 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# One cache for every process: Redis when REDIS_URL is set, else a table in the database (made by
# the migration security/0002 and by `manage.py createcachetable`). Throttles and rendered documents use it.
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kc_cache"}
}
# Keys of this portal in a Redis shared with others (or a test run's own): prefixed. Default: none.
CACHES["default"]["KEY_PREFIX"] = env_str("DJANGO_CACHE_KEY_PREFIX", "")

# Bodies larger than this (bytes, uploaded files aside) are refused with the portal's 400 page.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_MAX_BODY_BYTES", 1_048_576)
# Uploads too large for memory are received into MEDIA_ROOT/.uploads/ (not /tmp): moved into place by a rename,
# and what a worker killed mid-body leaves is found by `manage.py orphaned_files` (core.stored_files).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "core.stored_files.MediaTemporaryFileUploadHandler",
]

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")  # the office sets its own
# Links in e-mails and robot messages are absolute: the portal's address as its users reach it.
SITE_URL = env_url("DJANGO_SITE_URL", "http://127.0.0.1:8000")
# Overdue items are reminded again after this many days (every other stage once).
REMINDER_REPEAT_DAYS = env_int("DJANGO_REMINDER_REPEAT_DAYS", 7)
if REMINDER_REPEAT_DAYS < 1:
    raise ImproperlyConfigured("DJANGO_REMINDER_REPEAT_DAYS must be at least 1")
# A * item is "due soon" (yellow, reminded) within this many days of its due date (assessment.due).
DUE_SOON_DAYS = env_int("DJANGO_DUE_SOON_DAYS", 14)
if DUE_SOON_DAYS < 0:
    raise ImproperlyConfigured("DJANGO_DUE_SOON_DAYS must not be negative")
# One group robot for every unit without its own (政务微信/企业微信 or 钉钉); empty: none.
WEBHOOK_URL = env_url("DJANGO_WEBHOOK_URL", "")
WEBHOOK_KIND = env_choice("DJANGO_WEBHOOK_KIND", "wecom", ("wecom", "dingtalk"))
WEBHOOK_SECRET = env_str("DJANGO_WEBHOOK_SECRET", "")
# The hosts a group robot's address may name (https only; never a loopback or private address:
# assessment/notify/robot_urls.py): WeCom's and DingTalk's, plus DJANGO_ROBOT_HOSTS (comma-separated).
ROBOT_HOSTS = frozenset(
    {"qyapi.weixin.qq.com", "oapi.dingtalk.com"}
    | {h.strip().lower() for h in env_str("DJANGO_ROBOT_HOSTS", "").split(",") if h.strip()}
)
# Tests only (tests/conftest.py robot_server): the stand-in robot's origin on 127.0.0.1. Never from the environment.
ROBOT_STAND_IN_ORIGINS = ()
# Seconds a robot or the SMTP server may take before the sending counts as failed (retried next run).
NOTIFY_TIMEOUT = env_int("DJANGO_NOTIFY_TIMEOUT", 10)
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = NOTIFY_TIMEOUT
# Server errors (a 500) reported to the administrators (kunshan_credit/server_errors.py): an e-mail to each of
# ADMINS (DJANGO_ADMINS="姓名 <a@b>, …"), from SERVER_EMAIL, and a message to the office's group robot
# (DJANGO_ERROR_WEBHOOK_URL, the robot rules of DJANGO_ROBOT_HOSTS); each distinct error (exception type and
# view) at most once every SERVER_ERROR_REPORT_MINUTES, the next report counting the repeats in between.
ADMINS = env_addresses("DJANGO_ADMINS")
SERVER_EMAIL = env_str("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ERROR_WEBHOOK_URL = env_url("DJANGO_ERROR_WEBHOOK_URL", "")
ERROR_WEBHOOK_KIND = env_choice("DJANGO_ERROR_WEBHOOK_KIND", WEBHOOK_KIND, ("wecom", "dingtalk"))
ERROR_WEBHOOK_SECRET = env_str("DJANGO_ERROR_WEBHOOK_SECRET", "")
SERVER_ERROR_REPORT_MINUTES = env_int("DJANGO_ERROR_REPORT_MINUTES", 30)
if SERVER_ERROR_REPORT_MINUTES < 1:
    raise ImproperlyConfigured("DJANGO_ERROR_REPORT_MINUTES must be at least 1")
# Django's debug pages and the reports alike hide every parameter named like a secret, on any view.
DEFAULT_EXCEPTION_REPORTER_FILTER = "kunshan_credit.server_errors.ReportFilter"

# HTTPS hardening is on by default; DJANGO_HTTPS=0 only for a plain-HTTP local demo.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
# Behind the office's reverse proxy the audit log takes the client's address from X-Forwarded-For.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
# How many proxies of the office's stand in front (nginx: 1); the client is that many X-Forwarded-For entries
# from the end (core.clients). DJANGO_BEHIND_PROXY alone means one.
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 1 if BEHIND_PROXY else 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response (django-csp): scripts, styles, images and fonts only from the
# portal itself, nothing inline, on every page (the API docs page too: no script, no style of its own).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# One line per record (kunshan_credit/logs.py): on stderr, which systemd gives the journal, or, with
# DJANGO_LOG_FILE, in that file, reopened after logrotate moved it (deploy/logrotate).
LOG_LEVEL = env_choice("DJANGO_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOG_FILE = env_str("DJANGO_LOG_FILE", "").strip()
if LOG_FILE and not Path(LOG_FILE).parent.is_dir():
    raise ImproperlyConfigured(f"DJANGO_LOG_FILE's directory does not exist: {LOG_FILE!r}")
LOGGING = logs.config(LOG_LEVEL, LOG_FILE)

# --- REST API (/api/v1/): tokens for other systems, the portal's roles, errors in Chinese.
REST_FRAMEWORK = {
    # Token first, so an anonymous request is told 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token check, refusing accounts that may not hold a token (core/api/token_rules.py).
        "core.api.token_rules.PortalTokenAuthentication",
        # DRF's session login, its CSRF refusal in Chinese (core/api/http.py).
        "core.api.http.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.base.PortalPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.base.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        # JSON only: DRF's browsable pages are English ("Django REST framework", "Filters"); the API's
        # reference is the Chinese docs page /api/v1/docs/.
        "rest_framework.renderers.JSONRenderer",
    ],
    # JSON only, the documented body: a schema offering form and multipart bodies too made generated clients
    # (openapi-python-client) fail on every write; other systems speak JSON.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.base.AnonThrottle", "core.api.base.TokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("DJANGO_API_ANON_RATE", "60/min"),
        "token": env_rate("DJANGO_API_TOKEN_RATE", "600/min"),
    },
    "EXCEPTION_HANDLER": "core.api.base.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.PortalAutoSchema",
}
SPECTACULAR_SETTINGS = {
    # The title is the office's site title + 接口 (core.api.base.office_title).
    "TITLE": "接口",
    "DESCRIPTION": (
        "责任单位、考核方案、完成情况、奖惩案例和已发布的《工作信息》。"
        "权限与门户页面相同；其他系统用令牌（Authorization: Token …）访问，令牌由市信用办在 /api/tokens/ 生成。"
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["core.api.base.PortalPermission"],
    "COMPONENT_SPLIT_REQUEST": True,
    # A case's status, its transitions' from/to: one choice set, one name in the schema.
    "ENUM_NAME_OVERRIDES": {"CaseStatusEnum": "cases.models.CaseStatus"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.base.document_errors",
        "core.api.base.office_title",
    ],
}
