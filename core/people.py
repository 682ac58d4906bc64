"""People as pages, messages and the API name them: one display name, one word for "no account".

An entry made by no account (a command, a load, the demo) or by an account since deleted (its row's
foreign key set to NULL) reads `NO_ACCOUNT` everywhere it shows: history lists, digests, conflicts,
the API, the pages. Nothing else writes `get_full_name() or username`; templates use the
`display_name` filter (`{% load people %}`).
"""

NO_ACCOUNT = "系统"


def display_name(user):
    """The name a person is shown by: their full name, else their account name; NO_ACCOUNT for none."""
    if user is None:
        return NO_ACCOUNT
    return user.get_full_name() or user.get_username()


def api_name(user):
    """A person's name in the API: `display_name`, or null where no account is named.

    The API answers data, not sentences: null leaves the reading to the client (a draft case has no
    submitter yet; an entry made by a command has no author).
    """
    return None if user is None else display_name(user)
