"""Domain errors: a stable ASCII `code` for programs, a Chinese `message` for people."""
from __future__ import annotations


class DomainError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class IdNumberError(DomainError):
    """Resident ID number (GB 11643-1999) is malformed."""


class DateError(DomainError):
    """A date could not be read or is impossible."""


class VitalsError(DomainError):
    """A measured value is outside its plausible range."""

    def __init__(self, code: str, message: str, issues: tuple = ()) -> None:
        super().__init__(code, message)
        self.issues = tuple(issues)


class ContractError(DomainError):
    """Contract term, consent, termination or fee rule broken."""


class RulesetError(DomainError):
    """A rule set dict is malformed (raised when it is loaded / validated)."""


class SickbedError(DomainError):
    """Home-sickbed admission / discharge rule broken."""
