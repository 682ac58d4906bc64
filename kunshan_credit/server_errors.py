"""Server errors reported to the administrators: an e-mail to settings.ADMINS and a message to the office's robot.

`ServerErrorHandler` sits on the logger `django.request` (settings.LOGGING): when a view raises and the user
gets the Chinese 500 page, it sends, in Chinese,

- an e-mail to every administrator (DJANGO_ADMINS) with the error, the page, the account, the request's
  parameters (secrets hidden: `ReportFilter`, Django's SafeExceptionReporterFilter hiding every parameter whose
  name looks secret, on any view) and the traceback — never cookies, headers or session data;
- a short message to the office's group robot (DJANGO_ERROR_WEBHOOK_URL; the robot rules and sending of
  `assessment.notify.channels`), without parameters or traceback.

At most one report per distinct error (exception type and view) every settings.SERVER_ERROR_REPORT_MINUTES
minutes, across processes (the shared cache; this process's memory if the cache itself is down); the next
report says how many repeats went unreported. Sending never changes the user's 500 page: a failure to send is
logged as a warning.

Loaded by the logging configuration before the apps are: models and channels are imported when a report is sent.
"""

import hashlib
import logging
import time
import traceback
from email.utils import formataddr

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.views.debug import SafeExceptionReporterFilter

logger = logging.getLogger(__name__)
KEY = "server-error:"
KEPT = 7 * 24 * 3600  # seconds a distinct error's last report and count are remembered beyond the window
_local = {}  # the same records in this process, when the cache cannot be reached


def clock():
    """Now, in seconds (the tests move it)."""
    return time.time()


class ReportFilter(SafeExceptionReporterFilter):
    """Django's filter, and on every view the parameters named like a secret (password, token, key…) hidden."""

    def _hide(self, params):
        return {key: self.cleanse_setting(key, value) for key, value in params.items()}

    def get_post_parameters(self, request):
        return self._hide(super().get_post_parameters(request)) if request is not None else {}

    def get_get_parameters(self, request):
        return self._hide(request.GET) if request is not None else {}


class ServerErrorHandler(logging.Handler):
    """The logging handler: a report for each unhandled exception of a request (not for other errors logged)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)

    def emit(self, record):
        request = getattr(record, "request", None)
        if not record.exc_info or record.exc_info[0] is None or request is None:
            return
        try:
            report(request, record.exc_info)
        except Exception:  # noqa: BLE001 - a report must never turn the user's 500 page into something worse
            logger.warning("服务器错误通知未能生成", exc_info=True)


def view_name(request):
    """The view's URL name (or dotted path); the path when no route matched."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else request.path


def _records(key):
    """(last report's time or None, repeats since) from the cache, or this process's memory."""
    try:
        return cache.get(key), cache.get(key + ":n") or 0
    except Exception:  # noqa: BLE001 - the cache (the database cache in a database outage) is down
        return _local.get(key), _local.get(key + ":n", 0)


def _count(key):
    try:
        if not cache.add(key + ":n", 1, KEPT):
            cache.incr(key + ":n")
    except Exception:  # noqa: BLE001
        _local[key + ":n"] = _local.get(key + ":n", 0) + 1


def _reported(key, now, repeats):
    try:
        cache.set(key, now, KEPT)
        if repeats:
            cache.decr(key + ":n", repeats)  # repeats counted meanwhile by another process stay for the next
    except Exception:  # noqa: BLE001
        _local[key] = now
        _local[key + ":n"] = _local.get(key + ":n", 0) - repeats


def claim(error, view):
    """How many repeats of this error went unreported since its last report, when it is to be reported now;
    None when it was reported within the window (this one is then counted)."""
    window = settings.SERVER_ERROR_REPORT_MINUTES * 60
    key = KEY + hashlib.sha256(f"{error}|{view}".encode()).hexdigest()[:40]
    now = clock()
    last, repeats = _records(key)
    if last is not None and 0 <= now - last < window:
        _count(key)
        return None
    _reported(key, now, repeats)
    return repeats


def _subject(text):
    try:
        from core.office.models import get_office

        return get_office().mail_subject(text)
    except Exception:  # noqa: BLE001 - the database may be what failed
        return f"【门户】{text}"


def _lines(request, exc_info, view, repeats):
    exc_type, exc = exc_info[:2]
    user = getattr(request, "user", None)
    account = user.get_username() if user is not None and user.is_authenticated else "未登录"
    minutes = settings.SERVER_ERROR_REPORT_MINUTES
    lines = [
        f"时间：{timezone.localtime():%Y-%m-%d %H:%M:%S}",
        f"错误：{exc_type.__module__}.{exc_type.__qualname__}：{exc}",
        f"页面：{request.method} {request.get_full_path()}（视图 {view}）",
        f"账号：{account}",
    ]
    if repeats:
        lines.append(f"上次通知以来，同一错误另发生 {repeats} 次，未逐次通知。")
    lines.append(f"同一错误 {minutes} 分钟内只通知一次。")
    return lines


def message(request, exc_info, view, repeats):
    """(subject, e-mail body, robot markdown), in Chinese, with no cookie, header or secret parameter."""
    exc_type = exc_info[0]
    subject = _subject(f"服务器错误：{exc_type.__qualname__}（{view}）")
    lines = _lines(request, exc_info, view, repeats)
    head = "门户发生服务器错误（HTTP 500），用户看到“服务器出错了”页面。"
    reporter_filter = ReportFilter()
    parameters = [
        f"查询参数：{reporter_filter.get_get_parameters(request)}",
        f"表单参数（密码、令牌等已隐去）：{reporter_filter.get_post_parameters(request)}",
    ]
    trace = "".join(traceback.format_exception(*exc_info))
    body = "\n".join([head, "", *lines, "", *parameters, "", "调用栈：", trace])
    markdown = "\n".join([f"**{subject}**", head, *(f"> {line}" for line in lines), "详情见发给管理员的邮件。"])
    return subject, body, markdown


def report(request, exc_info):
    """Send the report of this request's unhandled exception, unless the same error was reported just now."""
    admins = [formataddr(pair) if pair[0] else pair[1] for pair in settings.ADMINS]
    robot_url = settings.ERROR_WEBHOOK_URL
    if not admins and not robot_url:
        return
    view = view_name(request)
    exc_type = exc_info[0]
    repeats = claim(f"{exc_type.__module__}.{exc_type.__qualname__}", view)
    if repeats is None:
        return
    subject, body, markdown = message(request, exc_info, view, repeats)
    if admins:
        _mail(admins, subject, body)
    if robot_url:
        _robot(robot_url, subject, body, markdown)


def _mail(admins, subject, body):
    from django.core.mail import EmailMessage

    try:
        EmailMessage(subject, body, settings.SERVER_EMAIL, admins).send(fail_silently=False)
    except Exception:  # noqa: BLE001 - SMTP, socket and backend errors alike
        logger.warning("服务器错误通知邮件未能发出", exc_info=True)


def _robot(url, subject, body, markdown):
    from assessment.notify.channels import ChannelError, Message, Robot, send_robot

    robot = Robot(settings.ERROR_WEBHOOK_KIND, url, settings.ERROR_WEBHOOK_SECRET)
    try:
        send_robot(robot, Message(subject, body, markdown))
    except ChannelError as exc:
        logger.warning("服务器错误通知未能发到群机器人：%s", exc)
