"""Passwords: Chinese rules, a maximum age, a change at the first login of an account the office made,
and reset by e-mail through a real SMTP server."""

import datetime
import re

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from core.security.models import PasswordState
from core.security.passwords import require_change

from .conftest import log_in
from .factories import UserFactory

PASSWORD = "pw-secret-123"
NEW = "Kunshan-credit-2026!"


def _log_in_with_password(client, username, password=PASSWORD, next_url="/cases/"):
    response = client.post(f"/accounts/login/?next={next_url}", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()
    return response


def _change(client, old, new):
    return client.post("/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kunshan1", "密码太短，至少需要 10 个字符。"),
        ("password123", "这个密码太常见了。"),
        ("20191130123456", "密码只包含数字。"),
        ("t_reporter_01", "密码跟 用户名 太相似了。"),
        ("          ", "密码须包含小写字母、大写字母、数字、符号四类中的至少 3 类（空格不算）。"),
        ("kunshancredit-ks", "密码须包含小写字母、大写字母、数字、符号四类中的至少 3 类（空格不算）。"),
        ("Xt_reporter-2026", "密码不能是用户名，也不能包含用户名。"),
        ("T_REPORTER2026", "密码不能是用户名，也不能包含用户名。"),
        (PASSWORD, "新密码不能与当前密码或最近 5 次用过的密码相同。"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(client, reporter_user, password, message):
    log_in(client, reporter_user)
    response = _change(client, PASSWORD, password)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert not re.search(r"This password|too short|too common", html)
    reporter_user.refresh_from_db()
    assert reporter_user.check_password(PASSWORD)


def test_a_password_older_than_the_maximum_age_must_be_changed_first(client, reporter_user):
    reporter_user.set_password(PASSWORD)
    reporter_user.save()
    PasswordState.objects.filter(user=reporter_user).update(changed_at=timezone.now() - datetime.timedelta(days=91))
    _log_in_with_password(client, "t_reporter")
    page = client.get("/cases/", follow=True)
    assert page.redirect_chain[-1][0] == "/accounts/password/"
    assert "您的密码已使用超过规定期限" in page.content.decode()
    assert client.get("/assessment/2019/scores/").status_code == 302
    assert client.get("/api/v1/units/").json()["detail"] == "请先在门户修改密码。"
    assert _change(client, PASSWORD, NEW)["Location"] == "/accounts/password/done/"
    assert client.get("/cases/").status_code == 200
    state = PasswordState.objects.get(user=reporter_user)
    assert timezone.now() - state.changed_at < datetime.timedelta(minutes=1)


def test_a_password_within_its_age_is_not_asked_for(client, reporter_user):
    reporter_user.set_password(PASSWORD)
    reporter_user.save()
    PasswordState.objects.filter(user=reporter_user).update(changed_at=timezone.now() - datetime.timedelta(days=89))
    _log_in_with_password(client, "t_reporter")
    assert client.get("/cases/").status_code == 200


@override_settings(PASSWORD_MAX_AGE_DAYS=0)
def test_a_maximum_age_of_zero_turns_the_rule_off(client, reporter_user):
    PasswordState.objects.update_or_create(
        user=reporter_user, defaults={"changed_at": timezone.now() - datetime.timedelta(days=3650)}
    )
    _log_in_with_password(client, "t_reporter")
    assert client.get("/cases/").status_code == 200


def test_an_account_the_office_creates_in_the_admin_changes_its_password_at_first_login(client, db):
    admin = UserFactory(username="t_admin", is_staff=True, is_superuser=True)
    office = client.__class__()
    log_in(office, admin)
    response = office.post(
        "/admin/auth/user/add/",
        {
            "username": "t_new",
            "password1": "Office-set-2026",
            "password2": "Office-set-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()
    new = get_user_model().objects.get(username="t_new")
    assert PasswordState.objects.get(user=new).must_change
    _log_in_with_password(client, "t_new", "Office-set-2026", next_url="/")
    page = client.get("/", follow=True)
    assert page.redirect_chain[-1][0] == "/accounts/password/"
    assert "这是您首次登录" in page.content.decode()
    _change(client, "Office-set-2026", NEW)
    assert client.get("/").status_code == 200
    assert not PasswordState.objects.get(user=new).must_change


def test_a_password_the_office_sets_for_someone_must_be_changed_too(client, reporter_user):
    require_change(reporter_user)
    _log_in_with_password(client, "t_reporter")
    assert client.get("/cases/")["Location"] == "/accounts/password/"


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


def test_a_forgotten_password_is_reset_by_e_mail(client, reporter_user, smtp_server):
    from email import message_from_bytes, policy

    reporter_user.email = "fgw@ks.gov.cn"
    reporter_user.save()
    page = client.get("/accounts/password/reset/")
    assert "重设密码" in page.content.decode()
    sent = client.post("/accounts/password/reset/", {"email": "fgw@ks.gov.cn"}, follow=True)
    assert "邮件已发送" in sent.content.decode()
    assert len(smtp_server.messages) == 1 and smtp_server.messages[0].rcpt_tos == ["fgw@ks.gov.cn"]
    mail = message_from_bytes(smtp_server.messages[0].content, policy=policy.default)
    assert mail["Subject"].strip() == "昆山信用体系建设门户：重设密码"
    body = mail.get_body().get_content()
    assert "t_reporter" in body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", body).group(1)
    form = client.get(link, follow=True)
    assert "设置新密码" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert "密码已重设" in done.content.decode()
    client.logout()
    assert client.post("/accounts/login/", {"username": "t_reporter", "password": NEW}).status_code == 302
    # The link works once.
    assert "重设链接无效或已过期" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, reporter_user, smtp_server):
    sent = client.post("/accounts/password/reset/", {"email": "nobody@example.cn"}, follow=True)
    assert "邮件已发送" in sent.content.decode() and smtp_server.messages == []


def _set(user, password):
    user.set_password(password)
    user.save()


def test_none_of_the_last_five_passwords_can_be_chosen_again(client, reporter_user):
    used = [f"Kunshan-{n}-credit" for n in range(6)]
    for password in used:
        _set(reporter_user, password)
    log_in(client, reporter_user)
    current = used[-1]
    for old in used[1:]:  # the current one and the four before it, five in all
        response = _change(client, current, old)
        assert (
            response.status_code == 200
            and "新密码不能与当前密码或最近 5 次用过的密码相同。" in response.content.decode()
        )
    # The sixth back is forgotten: only the hashes of the last five passwords are kept.
    assert reporter_user.password_history.count() == 5
    assert _change(client, current, used[0]).status_code == 302


def test_a_temporary_password_cannot_be_changed_to_itself(client, security_user, reporter_user):
    office_client = log_in(client.__class__(), security_user)
    response = office_client.post(f"/accounts/manage/{reporter_user.pk}/reset/")
    temporary = re.search(r'<p class="temporary-password"><code>([^<]+)</code>', response.content.decode())[1]
    _log_in_with_password(client, "t_reporter", temporary)
    assert client.get("/cases/")["Location"] == "/accounts/password/"
    refused = _change(client, temporary, temporary)
    assert refused.status_code == 200 and "新密码不能与当前密码" in refused.content.decode()
    assert client.get("/cases/")["Location"] == "/accounts/password/"  # still to be changed
    assert _change(client, temporary, NEW).status_code == 302
    assert client.get("/cases/").status_code == 200


def test_the_rules_are_listed_in_chinese_on_the_change_page(client, reporter_user):
    log_in(client, reporter_user)
    html = client.get("/accounts/password/").content.decode()
    assert "四类中的至少 3 类" in html and "不能包含用户名" in html and "最近 5 次" in html


def test_the_demos_and_the_tests_passwords_pass_the_rules(db):
    from django.contrib.auth import password_validation

    from assessment.accounts.services import temporary_password
    from bulletins.management.commands.load_demo import DEMO_PASSWORD

    for password in (DEMO_PASSWORD, PASSWORD, NEW, *[temporary_password() for _ in range(50)]):
        password_validation.validate_password(password, get_user_model()(username="t_reporter"))
