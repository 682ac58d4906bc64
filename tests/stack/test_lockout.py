"""Issue 23 through nginx: wrong passwords sprayed over many names from one address lock that address, not the
office next door; a forged X-Forwarded-For does not get it out (deploy/nginx appends the address it saw, and
DJANGO_PROXY_COUNT=1 reads that entry); the audit log and django-axes name the same address; the security
administrator lifts it on the accounts page."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from core.audit.actions import AuditAction
from core.audit.models import AuditEntry

from .conftest import sql
from .web import NGINX, STACK, Browser, inputs, signed_in

pytestmark = pytest.mark.skipif(not STACK, reason="no stack: run .ci/stack (sets STACK_URL)")

SPRAYER, NEIGHBOUR = "127.0.0.2", "127.0.0.3"  # two clients on the loopback network: nginx sees each as it is
PAUSED = "登录已暂停"


def audit(action, **where):
    clauses = " AND ".join(f"{column} = %s" for column in where)
    query = f"SELECT actor_name, ip, object_id, result FROM {AuditEntry._meta.db_table} WHERE action = %s"
    return sql(query + (f" AND {clauses}" if clauses else "") + " ORDER BY seq", (action, *where.values()))


def test_a_sprayed_address_is_locked_and_the_security_administrator_lifts_it():
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    names = [f"unit{number:02d}" for number in range(1, limit + 1)]  # one wrong password each: no account locked
    answers = [Browser(SPRAYER).log_in(NGINX, name, password="wrong-password") for name in names]
    assert all(answer.status_code != 302 for answer in answers)
    assert answers[-1].status_code == 429 and PAUSED in answers[-1].text

    # The right password of another account, from that address: refused in Chinese, before the password counts.
    refused = Browser(SPRAYER).log_in(NGINX, "auditor")
    assert refused.status_code == 429 and PAUSED in refused.text and f"登录失败已达 {limit} 次" in refused.text
    # The client cannot name another address: nginx appends the one it saw, and that one is read.
    forged = {"X-Forwarded-For": NEIGHBOUR, "X-Real-IP": NEIGHBOUR}
    refused = Browser(SPRAYER).log_in(NGINX, "auditor", headers=forged)
    assert refused.status_code == 429 and PAUSED in refused.text
    # The neighbour's office is not locked.
    signed_in(NGINX, "auditor", address=NEIGHBOUR)

    # django-axes counted the failures against the sprayer's address, the audit log wrote the same.
    attempts = sql(
        f"SELECT username, ip_address, failures_since_start FROM {AccessAttempt._meta.db_table} WHERE username IN %s",
        (tuple(names),),
    )
    assert sorted(attempts) == [(name, SPRAYER, 1) for name in names]
    failures = [row for row in audit(AuditAction.LOGIN) if row[0] in names]
    assert {row[1] for row in failures} == {SPRAYER} and len(failures) >= limit
    assert [row[1:3] for row in audit(AuditAction.LOCKOUT, object_id=SPRAYER)] == [(SPRAYER, SPRAYER)]
    assert not [row for row in audit(AuditAction.LOGIN, ip=NEIGHBOUR) if row[0] in names]

    # The security administrator sees the address on the accounts page and lifts it there.
    security = signed_in(NGINX, "security", address=NEIGHBOUR)
    page = security.get(NGINX, "/accounts/manage/")
    assert page.status_code == 200 and SPRAYER in page.text
    link = re.search(rf'href="(/accounts/manage/addresses/{re.escape(SPRAYER)}/unlock/)"', page.text).group(1)
    confirm = security.get(NGINX, link)
    assert confirm.status_code == 200 and "解除地址锁定" in confirm.text
    lifted = security.post(NGINX, link, {k: v for k, v in inputs(confirm.text).items() if k != "csrfmiddlewaretoken"})
    assert lifted.status_code == 302
    assert f"已解除地址“{SPRAYER}”的登录锁定。" in security.get(NGINX, lifted.headers["Location"]).text
    assert [row[:3] for row in audit(AuditAction.UNLOCK, object_id=SPRAYER)] == [("security", NEIGHBOUR, SPRAYER)]

    signed_in(NGINX, "auditor", address=SPRAYER)
