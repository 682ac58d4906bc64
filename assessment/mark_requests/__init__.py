"""Mark requests (a unit reports a * item done, or explains it; the office decides), with the units' own pages
and the reminders that share their URLs (/units/). Not HTTP requests: hence the name."""
