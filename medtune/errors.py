"""Errors a user can cause. The CLI prints them without a traceback and exits with code 2;
anything else is a bug and raises normally."""


class MedtuneError(Exception):
    """Something the user can fix: the message says what to change."""


class ConfigError(MedtuneError):
    """One or more configuration problems, all reported at once."""

    def __init__(self, problems: list[str], header: str = "invalid configuration"):
        self.problems = list(problems)
        lines = [f"{header} ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class DataError(MedtuneError):
    """The training data cannot be used as configured."""


class RunError(MedtuneError):
    """A run directory is missing, incomplete or does not match the request."""
