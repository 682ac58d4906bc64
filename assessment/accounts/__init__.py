"""Accounts the security administrator (安全管理员) manages in the browser (/accounts/manage/): a unit's reporter
with e-mail and phone, deactivate and reactivate, unlock an account or an address after failed logins, reset to
a temporary password that must be changed.

The IT administrator's accounts (those that open /admin/: is_staff or superuser) are managed in the admin,
not here. Every change is recorded in the audit log (`core.audit`, from the account signals).
"""
