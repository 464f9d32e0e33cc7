"""Bodies left unparsed: the text CPython's parser is given when no fact can be inside them.

Inside a function or a class the only facts are imports (a name bound there is not a
module-level name), and an import statement, like a call of ``import_module`` or
``__import__``, says ``import`` on one of the lines it spans (in the code itself, or once the
names are NFKC-normalized as the parser does). So when a file's clone fingerprints are not
asked for (they need every statement's lines), a ``def`` or ``class`` whose code never says
``import`` is replaced, before parsing, by a one-line stand-in with its name on its ``def`` or ``class`` line
(``def name():pass``, ``class Name:pass``) and blank lines for the rest of it: the parser builds
the tree of what is left (on Django, about a fifth of the text) with the same line numbers and
columns. Decorators stay. A class that says ``import`` stays, and its methods are looked at the
same way, one indentation level down.

Exactness: lines are replaced only where they are one whole statement.

- *Its end.* A statement at indentation ``I`` ends before the next line of code indented no more
  than ``I`` whose lexical state is neutral. Each such line is tried in turn: the lines up to it
  must be lexically closed, tokenized from the statement's start as CPython's tokenizer does
  (strings and comments removed by :data:`_NOT_CODE`, no quote left, brackets balanced, no
  backslash continuing the last line). A line inside a string or brackets (docstring text at
  column 0, a bracket continued at column 0) fails that test, and the next one is tried.
- *Its start.* The ``def`` or ``class`` line must start a statement, which a line inside a
  string or brackets of the kept text would not: after parsing, every stand-in must be a
  ``def`` or ``class`` statement of the tree on its line, else the whole text is parsed.
  Inductively, the text before each stand-in then tokenizes as in the file.

A syntax error inside a replaced body is not seen (the body is never parsed): the one way this
reader departs from parsing everything, and why it is used only when copies are not searched.
"""

from __future__ import annotations

import ast
import re
import unicodedata

# Strings (any prefix letters stay behind as code) and comments, as CPython tokenizes them: a
# triple quote always opens a triple-quoted string, the first unescaped triple quote closes it;
# an unclosed string leaves its quote behind. Each alternative starts with a literal character,
# so the regular expression engine skips the code between them at C speed.
_NOT_CODE = re.compile(
    r"""'(?:''(?:[^'\\]++|\\[\s\S]|'(?!''))*+'''|(?!'')(?:[^'\\\r\n]++|\\(?:\r\n|[\s\S]))*+')"""
    r'''|"(?:""(?:[^"\\]++|\\[\s\S]|"(?!""))*+"""|(?!"")(?:[^"\\\r\n]++|\\(?:\r\n|[\s\S]))*+")'''
    r"|\#[^\n]*+"
)
_STATEMENT = re.compile(r"(?:async[ \t]+)?(def|class)[ \t]+([^\W\d]\w*)")
# A file smaller than this is parsed whole: the scan would cost about what it saves.
MIN_SIZE = 2048


class Elision:
    """The text to parse, and where its stand-ins are (0-based line indexes)."""

    __slots__ = ("stand_ins", "text")

    def __init__(self, text: str, stand_ins: list[int]) -> None:
        self.text = text
        self.stand_ins = stand_ins

    def holds(self, tree: ast.Module) -> bool:
        """Whether every stand-in came out of the parse as a ``def`` or ``class`` on its line."""
        wanted = {index + 1 for index in self.stand_ins}
        found: set[int] = set()
        stack: list[list[ast.stmt]] = [tree.body]
        while stack:
            for statement in stack.pop():
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    if statement.lineno in wanted:
                        found.add(statement.lineno)
                    if isinstance(statement, ast.ClassDef):
                        stack.append(statement.body)
                    continue
                for field in ("body", "orelse", "finalbody"):
                    inner = getattr(statement, field, None)
                    if inner:
                        stack.append(inner)
                for handler in getattr(statement, "handlers", ()):
                    stack.append(handler.body)
                for case in getattr(statement, "cases", ()):
                    stack.append(case.body)
        return found == wanted


def _newlines(match: re.Match[str]) -> str:
    return "\n" * match.group().count("\n")


def elide(text: str) -> Elision | None:
    """The text with the bodies that cannot hold a fact replaced, or None when none is (or the
    text is one this scan does not read: a lone CR or a form feed, which move line ends or
    indentation in ways it does not follow)."""
    if len(text) < MIN_SIZE or "\f" in text or ("\r" in text and text.count("\r") != text.count("\r\n")):
        return None
    # The code: strings and comments removed, their line ends kept, so that line i of the code
    # is line i of the text without them (a docstring's lines are blank).
    code = _NOT_CODE.sub(_newlines, text).split("\n")
    out = text.split("\n")
    if len(code) != len(out):
        return None  # cannot happen: every line end a removed string held is put back
    lines = out[:]
    stand_ins: list[int] = []
    top = [i for i, line in enumerate(code) if line and line[0] not in " \t\r"]
    _level(lines, code, out, stand_ins, top, "", len(code))
    if not stand_ins:
        return None
    return Elision("\n".join(out), stand_ins)


def _continued(lines: list[str], code: list[str], start: int, end: int) -> bool:
    """Whether the last line of ``start`` to ``end`` that is not blank ends with a backslash that
    continues it (in its code: a line holding only the end of a string is blank in the code, and
    a backslash before it is not the last line's)."""
    last = end - 1
    while last > start and not lines[last].strip():
        last -= 1
    return code[last].rstrip().endswith("\\")


def _end(lines: list[str], code: list[str], candidates: list[int], at: int, limit: int) -> tuple[int, bool] | None:
    """The end (exclusive line index) of the statement that starts at ``candidates[at]`` (the
    first later candidate, or ``limit``, up to which its code is closed), and whether its code
    says ``import``. Each stretch of code between candidates is looked at once: linear in the
    lines, however far the end is."""
    start = piece_start = candidates[at]
    depth = 0
    says_import = False
    for position in range(at + 1, len(candidates) + 1):
        end = candidates[position] if position < len(candidates) else limit
        piece = "\n".join(code[piece_start:end])
        piece_start = end
        if "'" in piece or '"' in piece:
            return None  # a string the scan could not close: it never closes further down
        depth += piece.count("(") + piece.count("[") + piece.count("{") - piece.count(")") - piece.count("]") - piece.count("}")
        says_import = says_import or "import" in piece or (not piece.isascii() and "import" in unicodedata.normalize("NFKC", piece))
        if depth == 0 and not _continued(lines, code, start, end):
            return end, says_import
    return None


def _level(lines: list[str], code: list[str], out: list[str], stand_ins: list[int], candidates: list[int], indent: str, limit: int) -> None:
    """Replace the bodies of the statements at ``indent`` that start on the ``candidates`` lines
    (every line of code indented no more than ``indent``, before line ``limit``)."""
    width = len(indent)
    position = 0
    while position < len(candidates):
        index = candidates[position]
        line = code[index]
        match = _STATEMENT.match(line, width) if line.startswith(indent) and line[width : width + 1] not in " \t" else None
        if match is None:
            position += 1
            continue
        found = _end(lines, code, candidates, position, limit)
        if found is None:
            return  # not closed anywhere: left to the parser from here on
        end, says_import = found
        if says_import:
            if match.group(1) == "class":
                _inner(lines, code, out, stand_ins, index, end, width)
        else:
            kind, name = match.groups()
            out[index] = f"{indent}def {name}():pass" if kind == "def" else f"{indent}class {name}:pass"
            out[index + 1 : end] = [""] * (end - index - 1)
            stand_ins.append(index)
        while position < len(candidates) and candidates[position] < end:
            position += 1


def _inner(lines: list[str], code: list[str], out: list[str], stand_ins: list[int], start: int, end: int, width: int) -> None:
    """The methods (and nested classes) of a class that says ``import`` (lines ``start`` to
    ``end``), at the indentation of the first ``def``, ``class`` or decorator in its body."""
    indent = None
    for i in range(start + 1, end):
        line = code[i]
        stripped = line.lstrip(" \t")
        if len(line) - len(stripped) > width and (stripped.startswith("@") or _STATEMENT.match(stripped)):
            indent = line[: len(line) - len(stripped)]
            break
    if indent is None:
        return
    depth = len(indent)
    candidates = [i for i in range(start + 1, end) if (line := code[i]).strip() and len(line) - len(line.lstrip(" \t")) <= depth]
    _level(lines, code, out, stand_ins, candidates, indent, end)
