"""The domain error: a refusal with a message in Chinese, raised by every service of every app."""


class DomainError(Exception):
    """A refusal with a message in Chinese for the user."""


def _messages(exc):
    return " ".join(exc.messages)
