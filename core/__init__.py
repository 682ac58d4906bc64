"""The platform under the domain apps: errors, roles and the access policy's base, people, web helpers
(paging, downloads, uploads, workbooks, text, the Excel writer, forms), the API base, its docs and tokens,
login security, the audit log and the office row. It knows no app above it (lint-imports checks it)."""
