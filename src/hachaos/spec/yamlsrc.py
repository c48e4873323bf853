"""Safe YAML loading that remembers the line of every key, so errors can say `file:line`.

One path for every stack and scenario file, bounded before any work grows with the input:

- at most `MAX_BYTES` bytes are read; a larger file (or a device) is rejected unread;
- the bytes must be UTF-8 (a byte that is not names its line and offset) and printable;
- the document is composed once, from the parser's events (libyaml's when present), by an
  iterative composer that rejects, at the line where it happens, nesting deeper than
  `MAX_DEPTH`, more than `MAX_NODES` nodes once aliases are expanded (alias bombs) and an
  alias used inside the node it names (recursion);
- one walk over the composed nodes records the line of every key and rejects duplicate keys,
  keys that are not strings, NaN / infinity, and NUL characters;
- the same composed nodes are then constructed into plain data (safe tags only).
"""

from __future__ import annotations

import math
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hachaos.errors import ConfigError, Problem

Loc = tuple[str | int, ...]

MAX_BYTES = 1024 * 1024  # real stack and scenario files are a few KiB
MAX_DEPTH = 32  # real files nest 6 levels
MAX_NODES = 10_000  # scalars, sequences and mappings after alias expansion

NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
STR_TAG = "tag:yaml.org,2002:str"
FLOAT_TAG = "tag:yaml.org,2002:float"
INT_TAG = "tag:yaml.org,2002:int"
MERGE_TAG = "tag:yaml.org,2002:merge"


def loader_class(base: Any) -> Any:
    """A safe loader class on `base` whose unreadable values (a date like 2024-13-45, an
    integer of 5000 digits) become marked errors that name their line."""

    class _Loader(base):  # type: ignore[misc]
        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except (ValueError, OverflowError) as exc:
                raise yaml.constructor.ConstructorError(
                    None, None, f"cannot read this value: {exc}", node.start_mark
                ) from None

    return _Loader


LOADER = loader_class(getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when installed


@dataclass(frozen=True)
class Located:
    """Parsed YAML data plus the 1-based line of every key / item path."""

    file: str
    data: dict[str, Any]
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest ancestor that has one."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return 1

    def problem(self, loc: Loc, message: str) -> Problem:
        """A Problem placed at `loc`."""
        return Problem(self.file, self.line_of(loc), message)


class _Reject(Exception):
    """One problem that stops loading: its 1-based line and message."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _line(mark: Any) -> int:
    return int(mark.line) + 1 if mark is not None else 1


def read_bounded(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes; a non-regular file or one over `limit` bytes is rejected unread."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise _Reject(1, "cannot read file: not a regular file")
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:  # missing, no permission, name too long, ...
        raise _Reject(1, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise _Reject(1, f"file is larger than {limit // 1024} KiB: not a stack or scenario file")
    return raw


def decode_utf8(raw: bytes) -> str:
    """Strict UTF-8 (a leading BOM is dropped); the first bad byte is named with its line."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Reject(1, "file is UTF-16 (byte order mark): save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        raise _Reject(
            line, f"not UTF-8: byte 0x{byte:02x} at offset {exc.start} (save the file as UTF-8)"
        ) from None
    bad = NON_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise _Reject(line, f"control character U+{ord(bad.group()):04X} is not allowed")
    return text


@dataclass
class _Frame:
    """A sequence or mapping being composed, with its children so far."""

    node: yaml.SequenceNode | yaml.MappingNode
    items: list[yaml.Node] = field(default_factory=list)
    height: int = 0  # of its deepest child, aliases expanded


class _Composer:
    """Builds the node graph from parser events without recursion, within the bounds."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.anchors: dict[str, yaml.Node] = {}
        self.open: set[int] = set()  # ids of nodes still being composed
        self.heights: dict[int, int] = {}  # expanded height of every finished node
        self.sizes: dict[int, int] = {}  # expanded node count of every finished node
        self.stack: list[_Frame] = []
        self.expanded = 0

    def document(self) -> yaml.Node | None:
        """The single document's root node, or None for an empty stream."""
        self.loader.get_event()  # StreamStart
        if self.loader.check_event(yaml.StreamEndEvent):
            return None
        self.loader.get_event()  # DocumentStart
        root = self._root()
        self.loader.get_event()  # DocumentEnd
        event = self.loader.get_event()
        if not isinstance(event, yaml.StreamEndEvent):
            raise _Reject(_line(event.start_mark), "more than one YAML document in the file")
        return root

    def _root(self) -> yaml.Node:
        while True:
            done = self._step(self.loader.get_event())
            if done is not None and not self.stack:
                return done

    def _step(self, event: Any) -> yaml.Node | None:
        """Handle one event; the node it completes (if any), already attached to its parent."""
        if isinstance(event, yaml.AliasEvent):
            return self._finish(self._alias(event), _line(event.start_mark))
        if isinstance(event, yaml.ScalarEvent):
            return self._finish(self._scalar(event), _line(event.start_mark))
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            self._start(event)
            return None
        if isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            return self._end(event)
        raise _Reject(_line(event.start_mark), f"unexpected {type(event).__name__}")

    def _tag(self, kind: type[yaml.Node], event: Any, value: str | None) -> str:
        if event.tag is None or event.tag == "!":
            return str(self.loader.resolve(kind, value, event.implicit))
        return str(event.tag)

    def _scalar(self, event: Any) -> yaml.Node:
        tag = self._tag(yaml.ScalarNode, event, event.value)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        self._anchor(event, node)
        self.sizes[id(node)] = self.heights[id(node)] = 1
        return node

    def _alias(self, event: Any) -> yaml.Node:
        node = self.anchors.get(event.anchor)
        if node is None:
            raise _Reject(_line(event.start_mark), f"unknown alias '*{event.anchor}'")
        if id(node) in self.open:
            raise _Reject(
                _line(event.start_mark),
                f"alias '*{event.anchor}' is used inside the node it names (recursion)",
            )
        return node

    def _anchor(self, event: Any, node: yaml.Node) -> None:
        if event.anchor is not None:
            self.anchors[event.anchor] = node

    def _start(self, event: Any) -> None:
        line = _line(event.start_mark)
        if len(self.stack) >= MAX_DEPTH:
            raise _Reject(line, f"nesting deeper than {MAX_DEPTH} levels")
        self._count(1, line)
        cls = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
        node = cls(self._tag(cls, event, None), [], event.start_mark, None, event.flow_style)
        self._anchor(event, node)
        self.open.add(id(node))
        self.stack.append(_Frame(node))

    def _end(self, event: Any) -> yaml.Node:
        frame = self.stack.pop()
        node = frame.node
        node.end_mark = event.end_mark
        if isinstance(node, yaml.MappingNode):
            node.value = list(zip(frame.items[::2], frame.items[1::2], strict=True))
        else:
            node.value = frame.items
        self.open.discard(id(node))
        self.heights[id(node)] = frame.height + 1
        self.sizes[id(node)] = 1 + sum(self.sizes[id(c)] for c in frame.items)
        self._attach(node)
        return node

    def _finish(self, node: yaml.Node, line: int) -> yaml.Node:
        """A scalar or alias: count its expanded size and depth, then attach it."""
        if len(self.stack) + self.heights[id(node)] - 1 > MAX_DEPTH:
            raise _Reject(line, f"nesting deeper than {MAX_DEPTH} levels (aliases expanded)")
        self._count(self.sizes[id(node)], line)
        self._attach(node)
        return node

    def _count(self, size: int, line: int) -> None:
        self.expanded += size
        if self.expanded > MAX_NODES:
            raise _Reject(
                line,
                f"document expands to more than {MAX_NODES} values "
                "(each use of an alias counts in full): too large for a stack or scenario",
            )

    def _attach(self, node: yaml.Node) -> None:
        if self.stack:
            parent = self.stack[-1]
            parent.items.append(node)
            parent.height = max(parent.height, self.heights[id(node)])


@dataclass
class _Walk:
    """Records the line of every key path and finds problems plain parsing lets through."""

    loader: Any
    file: str
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, node: yaml.Node, message: str) -> None:
        """A problem at `node`'s line."""
        self.problems.append(Problem(self.file, _line(node.start_mark), message))

    def node(self, node: yaml.Node, loc: Loc) -> None:
        """Walk `node` (at `loc`) and everything below it."""
        if isinstance(node, yaml.MappingNode):
            self.mapping(node, loc)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.lines[(*loc, i)] = _line(item.start_mark)
                self.node(item, (*loc, i))
        elif isinstance(node, yaml.ScalarNode):
            self.scalar(node)

    def mapping(self, node: yaml.MappingNode, loc: Loc, merged: bool = False) -> None:
        """Keys of a mapping; keys merged in with `<<` never override or duplicate."""
        seen: set[str] = set()
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merges.append(value_node)
                continue
            key = self.key(key_node)
            if key is None or (merged and (*loc, key) in self.lines):
                continue
            if key in seen:
                self.add(key_node, f"duplicate key '{key}'")
            seen.add(key)
            self.lines[(*loc, key)] = _line(key_node.start_mark)
            self.node(value_node, (*loc, key))
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for source in sources:
                if isinstance(source, yaml.MappingNode):
                    self.mapping(source, loc, merged=True)

    def key(self, node: yaml.Node) -> str | None:
        """The key as a string, or None (and a problem) when it is not a plain string."""
        if not isinstance(node, yaml.ScalarNode):
            self.add(node, "a key must be a plain string, not a list or mapping")
            return None
        if node.tag != STR_TAG:
            kind = node.tag.rsplit(":", 1)[-1]
            self.add(node, f"key {node.value[:40]!r} is read as {kind}, not a string: quote it")
            return None
        self.scalar(node)
        return str(node.value)

    def scalar(self, node: yaml.ScalarNode) -> None:
        """Reject NUL characters, NaN / infinity and base-60 numbers."""
        if node.tag == STR_TAG and "\x00" in node.value:
            self.add(node, "a string may not contain a NUL character")
        elif node.tag == FLOAT_TAG and not self.finite(node):
            self.add(node, f"{node.value[:40]!r} is not a finite number")
        elif node.tag in (INT_TAG, FLOAT_TAG) and ":" in node.value:
            self.add(node, f"{node.value[:40]!r} is read as a base-60 number: quote it")

    def finite(self, node: yaml.ScalarNode) -> bool:
        """True for a float scalar that is a finite number."""
        try:
            return math.isfinite(self.loader.construct_yaml_float(node))
        except ValueError:
            return False


def _parse(text: str, file: str) -> Located:
    loader = LOADER(text)
    try:
        root = _Composer(loader).document()
        if root is None:
            raise _Reject(1, "file is empty: expected a mapping")
        walk = _Walk(loader, file)
        walk.node(root, ())
        if walk.problems:
            raise ConfigError(sorted(walk.problems, key=lambda p: p.line))
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise _Reject(_line(mark), f"malformed YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise _Reject(1, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()
    if data is None:
        raise _Reject(1, "file is empty: expected a mapping")
    if not isinstance(data, dict):
        raise _Reject(1, f"expected a mapping at the top level, got {type(data).__name__}")
    return Located(file, data, walk.lines)


def load_located(path: Path) -> Located:
    """Parse `path` within the bounds above; every way it can be bad raises ConfigError."""
    file = str(path)
    try:
        return _parse(decode_utf8(read_bounded(path)), file)
    except _Reject as exc:
        raise ConfigError([Problem(file, exc.line, exc.message)]) from None
