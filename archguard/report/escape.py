"""Escaping for each kind of output: a string from the analysed tree never acts on its reader.

File and module names, import text and contract names come from an untrusted tree (a pull
request from a fork). Printed raw, a name holding a newline and ``::error file=x.py::...``
forges a GitHub annotation in the CI log, and ESC or BEL bytes drive the terminal. One
function per kind of output, applied where reporters print such strings:

- :func:`terminal` for text on a terminal or in a CI log: control characters (C0, DEL, C1),
  line and paragraph separators and the bidirectional overrides of "Trojan Source" become
  visible escapes (``\\n``, ``\\x1b``, ``\\u202e``); every other character is kept;
- :func:`terminal_block` for archguard's own multi-line messages that may embed such strings:
  the same, except that its line breaks stay, and a line that would start a workflow command
  (``::`` or ``##[`` after blanks) is shown with a leading backslash;
- :func:`workflow_data` and :func:`workflow_property` for GitHub workflow commands
  (``::error file=...::message``): the runner's own escapes (``%25``, ``%0D``, ``%0A``, and
  ``%3A``, ``%2C`` in properties) after :func:`terminal` for the other control characters.

JSON and SARIF are escaped by their encoders, JUnit by the XML serializer (with the
characters XML cannot carry replaced), SVG, DOT and HTML by their renderers.
"""

from __future__ import annotations

import re

# C0 controls but tab, DEL, C1 controls, the line/paragraph separators, and the bidirectional
# embedding, override and isolate controls (a file name can reorder what a reviewer reads).
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_NEWLINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\x1b"}
_COMMAND_LINE = re.compile(r"^(\s*)(::|##\[)", re.MULTILINE)


def _visible(match: re.Match[str]) -> str:
    character = match.group()
    named = _NAMED.get(character)
    if named is not None:
        return named
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """``text`` with every character that could act on a terminal or a log shown as an escape."""
    if text.isprintable():  # every character escaped here is unprintable: the common case is one C call
        return text
    return _UNSAFE.sub(_visible, text)


def terminal_block(text: str) -> str:
    """Like :func:`terminal`, but the line breaks of a multi-line message stay; no line of it
    can start a CI workflow command."""
    text = _UNSAFE_KEEP_NEWLINES.sub(_visible, text)
    return _COMMAND_LINE.sub(lambda match: f"{match.group(1)}\\{match.group(2)}", text)


def workflow_data(text: str) -> str:
    """The message of a GitHub workflow command (``::error ...::MESSAGE``)."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return terminal(escaped)


def workflow_property(text: str) -> str:
    """A property value of a GitHub workflow command (``file=VALUE``, ``title=VALUE``)."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
