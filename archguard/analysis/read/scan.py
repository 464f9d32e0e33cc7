"""The fallback reader: import statements found in the tokens, for a file the parsers refuse.

A file can be valid Python and still too deep or too large for a parser: a generated
expression of 200,000 terms, parentheses nested 10,000 deep. Both parsers give up on the
whole file, and its imports would be lost. The tokenizer has no such limit (it counts
brackets, it does not nest), so this scan reads the statements that start with ``import``
or ``from`` off the token stream, with their positions and the context the indentation
tells: inside a ``def`` (lazy), a ``class``, an ``if TYPE_CHECKING:`` block, a ``try`` or
handler of ``except ImportError`` (guarded). The file is
still reported as a parse problem; its imports still reach the graph.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator

from archguard.analysis.read.facts import RawImport

# Compound statements whose body is a block: what each kind of block makes of an import in it.
_FUNCTION, _CLASS, _TYPE_CHECKING, _TRY, _HANDLER, _OTHER = "def", "class", "type-checking", "try", "handler", "other"
_BLOCK_KEYWORDS = frozenset({"if", "elif", "else", "for", "while", "except", "finally", "with", "match", "case", "async"})
# An import inside a try block is guarded when one of its handlers catches ImportError.
_CATCHES_IMPORT_ERROR = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT})


def scan_imports(data: bytes) -> tuple[RawImport, ...]:
    """Every ``import``/``from ... import`` statement of the file, as far as it tokenizes."""
    found: list[RawImport] = []
    # CPython's parser reads "\r\n" and a lone "\r" as line ends; the tokenize module splits
    # lines at "\n" only (a continuation "\\" before a lone "\r" would shift every later line).
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        tokens = [t for t in tokenize.tokenize(io.BytesIO(data).readline) if t.type not in _SKIPPED]
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        tokens = list(_tokens_until_error(data))
    blocks: list[str] = []  # the kinds of the blocks the current statement is in
    tries: list[tuple[int, list[int]]] = []  # open try blocks: (their depth in blocks, the imports in them)
    closed_try: tuple[int, list[int]] | None = None  # the try block just closed, while its handlers follow
    opening: str | None = None  # the kind of block the next INDENT opens
    start = True  # the next token starts a statement
    header: str | None = None  # the kind of compound statement this line's header opens
    depth = 0  # bracket depth
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind, text = token.type, token.string
        if kind == tokenize.INDENT:
            blocks.append(opening or _OTHER)
            if opening == _TRY:
                tries.append((len(blocks), []))
            opening, start = None, True
        elif kind == tokenize.DEDENT:
            if tries and tries[-1][0] == len(blocks):
                closed_try = tries.pop()
            if blocks:
                blocks.pop()
            start = True
        elif kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
            opening, header, start, depth = header, None, True, 0
        elif kind == tokenize.OP:
            depth += text in "([{"
            depth -= text in ")]}" and depth > 0
            # "if x: import y" or "a = 1; import b": a statement starts after the ':' or ';'.
            start = depth == 0 and (text == ";" or (text == ":" and header is not None and _header_ends(tokens, index)))
        elif kind == tokenize.ENCODING:
            pass
        elif start and kind == tokenize.NAME:
            start = False
            if closed_try is not None and closed_try[0] == len(blocks) + 1:
                if text == "except" and _handler_catches_import_error(tokens, index):
                    for number in closed_try[1]:
                        found[number] = found[number]._replace(guarded=True)
                elif text not in ("except", "else", "finally"):
                    closed_try = None
            if text in ("import", "from"):
                statement, index = _statement(tokens, index)
                imports = _raw_imports(statement, blocks + ([header] if header else []))
                for _depth, members in tries:
                    members.extend(range(len(found), len(found) + len(imports)))
                found.extend(imports)
                continue
            header = _header_kind(tokens, index)
        else:
            start = False
        index += 1
    return tuple(found)


def _tokens_until_error(data: bytes) -> Iterator[tokenize.TokenInfo]:
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type not in _SKIPPED:
                yield token
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        return


def _header_kind(tokens: list[tokenize.TokenInfo], index: int) -> str | None:
    """The kind of block a statement starting at ``tokens[index]`` opens, or None for a simple statement."""
    word = tokens[index].string
    if word == "async" and index + 1 < len(tokens):
        word = tokens[index + 1].string
    if word == "def":
        return _FUNCTION
    if word == "class":
        return _CLASS
    if word == "try":
        return _TRY
    if word == "except" and _handler_catches_import_error(tokens, index):
        return _HANDLER  # the fallback import of "except ImportError:" is guarded too
    if word in ("if", "elif") and _tests_type_checking(tokens, index + 1):
        return _TYPE_CHECKING
    if word in _BLOCK_KEYWORDS:
        return _OTHER
    return None


def _tests_type_checking(tokens: list[tokenize.TokenInfo], index: int) -> bool:
    """Whether the test from ``tokens[index]`` to the ':' is ``TYPE_CHECKING`` or ``x.TYPE_CHECKING``."""
    words = []
    for token in tokens[index:]:
        if token.type == tokenize.OP and token.string == ":":
            break
        if token.type == tokenize.NEWLINE:
            return False
        words.append(token)
    dotted = all((t.type == tokenize.NAME) if i % 2 == 0 else (t.string == ".") for i, t in enumerate(words))
    return bool(words) and len(words) % 2 == 1 and dotted and words[-1].string == "TYPE_CHECKING"


def _handler_catches_import_error(tokens: list[tokenize.TokenInfo], index: int) -> bool:
    """Whether the ``except`` clause at ``tokens[index]`` catches ImportError (bare, or naming it,
    ModuleNotFoundError, Exception or BaseException, also as ``module.Name``)."""
    names = []
    for token in tokens[index + 1 :]:
        if (token.type == tokenize.OP and token.string == ":") or token.type == tokenize.NEWLINE:
            break
        if token.type == tokenize.NAME:
            if token.string == "as":
                break
            names.append(token.string)
    return not names or bool(_CATCHES_IMPORT_ERROR.intersection(names))


def _header_ends(tokens: list[tokenize.TokenInfo], index: int) -> bool:
    """Whether the ':' at ``tokens[index]`` ends a compound statement's header (a body follows
    on the same line), not an annotation or a slice."""
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following is not None and following.type != tokenize.NEWLINE


def _statement(tokens: list[tokenize.TokenInfo], index: int) -> tuple[list[tokenize.TokenInfo], int]:
    """The tokens of the simple statement starting at ``index`` and the index after it."""
    depth = 0
    end = index
    while end < len(tokens):
        token = tokens[end]
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER) or (token.type == tokenize.OP and token.string == ";" and depth == 0):
            break
        if token.type == tokenize.OP:
            depth += token.string in "([{"
            depth -= token.string in ")]}" and depth > 0
        end += 1
    return tokens[index:end], end


def _raw_imports(statement: list[tokenize.TokenInfo], blocks: list[str]) -> list[RawImport]:
    if not statement:
        return []
    first, last = statement[0], statement[-1]
    lazy = _FUNCTION in blocks
    type_checking = _TYPE_CHECKING in blocks
    guarded = _HANDLER in blocks
    module_level = not lazy and _CLASS not in blocks

    def raw(module: str, level: int, names: tuple[str, ...], alias: str | None, asnames: tuple[str | None, ...]) -> RawImport:
        line, column = first.start
        end_line, end_column = last.end
        return RawImport(
            module, level, names, line, column + 1, end_line, type_checking, lazy, guarded, False, alias, asnames, module_level, end_column + 1
        )

    words = [t.string for t in statement if t.type != tokenize.OP or t.string not in "()"]
    if words[0] == "import":
        return [raw(name, 0, (), alias, ()) for name, alias in map(_alias, _split(words[1:], ",")) if name]
    # from [dots][module] import names
    position, level = 1, 0
    while position < len(words) and words[position] in (".", "..."):
        level += len(words[position])
        position += 1
    module_words = []
    while position < len(words) and words[position] != "import":
        module_words.append(words[position])
        position += 1
    if position >= len(words):
        return []
    names, asnames = [], []
    for clause in _split(words[position + 1 :], ","):
        name, alias = _alias(clause)
        if name:
            names.append(name)
            asnames.append(alias)
    if not names:
        return []
    return [raw("".join(module_words), level, tuple(names), None, () if names == ["*"] else tuple(asnames))]


def _split(words: list[str], separator: str) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for word in words:
        if word == separator:
            parts.append([])
        else:
            parts[-1].append(word)
    return [part for part in parts if part]


def _alias(clause: list[str]) -> tuple[str, str | None]:
    """("a.b", "c") for the words of ``a . b as c``; ("*", None) for a star."""
    if "as" in clause:
        at = clause.index("as")
        return "".join(clause[:at]), (clause[at + 1] if at + 1 < len(clause) else None)
    return "".join(clause), None
