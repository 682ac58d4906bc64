"""Reminders and digests, and the channels that carry them (e-mail, WeCom/DingTalk group robots).

The lowest layer: it knows units, marks and indicators, nothing above. Every sending is a
`Delivery` row written first and delivered later, outside any web request (the management
commands); a failure stays on record and is tried again by the next run.
"""
