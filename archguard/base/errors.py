"""The one small exception hierarchy of archguard.

Every error carries what the user needs to fix it: the file, the key path or line, and a
message written for people. Only the CLI turns these into exit code 2; problems found in the
analysed code are never exceptions (they are findings).
"""

from __future__ import annotations


class ArchguardError(Exception):
    """Base class: a usage, contract or environment problem (exit code 2)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.key = key

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}"


class ContractError(ArchguardError):
    """The contract file is missing, unreadable or malformed."""


class NoContractError(ContractError):
    """No contract file was given or found (commands that can run without one catch this)."""


class UsageError(ArchguardError):
    """The command line asks for something that cannot be done."""


class GitError(ArchguardError):
    """A git revision or repository could not be read."""


class NothingCheckedError(ArchguardError):
    """The run analysed nothing a rule could fail on: no file, no import, or no rule matching
    any analysed module. A gate that checks nothing must not pass."""


class BaselineError(ArchguardError):
    """The baseline file cannot be read or written, or is not a baseline."""


class ArchguardWarning(UserWarning):
    """Something the user should know that does not stop the run (e.g. a planted cache folder
    that is not used). The command line prints it once on stderr as ``archguard: warning: ...``."""
