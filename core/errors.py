"""User-facing errors: one clear, actionable line; the CLI prints them without a traceback."""


class BiganziError(Exception):
    """An error whose message is shown to the user as is (one line, says what to do)."""
