"""The domain error: a refusal with a message in Chinese, raised by every service of every app."""


class DomainError(Exception):
    """A refusal with a message in Chinese for the user."""


def validation_text(exc):
    """A ValidationError's messages as one line, for a DomainError that refuses the same thing."""
    return " ".join(exc.messages)


class Conflict(DomainError):
    """Someone else changed the thing after the user read it: the API answers 409 with what it holds now.

    Subclasses give `current()`, the thing as it is now in the API's words (a dict)."""

    def current(self):
        return None
