"""Hostile and malformed stack and scenario files: each is a clean `file:line: message`.

Every case asserts the problem's file, line and message, and that the error is a ConfigError
whose text holds no traceback. Bombs, huge files and deep nesting assert the rejection only.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from hachaos.errors import ConfigError, HachaosError
from hachaos.plugin.items import history_path
from hachaos.spec import yamlsrc
from hachaos.spec.loader import find_stack_file, load_scenario, load_stack

STACK = """\
name: tiny
image: hachaos/tools:latest
topology:
  kind: static
nodes:
  a:
    role: primary
    ports: [6379]
  b:
    role: replica
  c:
    role: replica
links:
  to-a:
    upstream: a:6379
    listen: 7000
"""

SCENARIO = """\
name: tiny-kill
stack: tiny
probe:
  type: tcp
  target: {node: a, port: 6379}
fault:
  action: kill
  target: {role: primary}
budget:
  recovery_time_s: 5
"""

PARTITION = SCENARIO.replace(
    "  action: kill\n  target: {role: primary}\n",
    "  action: partition\n  mode: groups\n  groups: [[a], [b, c]]\n",
)
LINK = SCENARIO.replace(
    "  action: kill\n  target: {role: primary}\n",
    "  action: link\n  link: to-a\n  toxic: {type: latency, attributes: {latency: 100}}\n",
)


@dataclass(frozen=True)
class Case:
    """One hostile file: which kind of file, its content, and the expected line and message."""

    target: str  # "stack" or "scenario"
    content: str | bytes
    line: int
    fragment: str


def stack(old: str, new: str, line: int, fragment: str) -> Case:
    """The tiny stack with one edit."""
    assert old in STACK, old
    return Case("stack", STACK.replace(old, new, 1), line, fragment)


def scen(old: str, new: str, line: int, fragment: str, base: str = SCENARIO) -> Case:
    """The tiny-kill scenario (or `base`) with one edit."""
    assert old in base, old
    return Case("scenario", base.replace(old, new, 1), line, fragment)


def raw(content: str | bytes, line: int, fragment: str) -> Case:
    """A whole scenario file."""
    return Case("scenario", content, line, fragment)


def nested_block(depth: int) -> str:
    """`depth` mappings nested by indentation under `probe:`."""
    body = "".join(f"{'  ' * (i + 1)}k{i}:\n" for i in range(depth))
    return SCENARIO.replace("probe:\n", "probe:\n" + body, 1)


BILLION_LAUGHS = "name: x\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
    for i in range(10)
)
MERGE_CHAIN = "name: x\nm0: &m0 {a: 1}\n" + "".join(
    f"m{i}: &m{i}\n  <<: *m{i - 1}\n  k{i}: [{', '.join(['v'] * 50)}]\n" for i in range(1, 60)
)

ENCODING = {
    "latin1-line1": raw(b"name: caf\xe9\n", 1, "not UTF-8: byte 0xe9 at offset 9"),
    "latin1-line3": raw(b"name: x\nstack: tiny\n# \xe9t\xe9\n", 3, "not UTF-8: byte 0xe9"),
    "utf16-le-bom": raw(SCENARIO.encode("utf-16"), 1, "UTF-16"),
    "utf16-be-bom": raw(SCENARIO.encode("utf-16-be").join([b"\xfe\xff", b""]), 1, "UTF-16"),
    "utf16-no-bom": raw(SCENARIO.encode("utf-16-le"), 1, "control character U+0000"),
    "binary-all-bytes": raw(bytes(range(256)), 2, "not UTF-8: byte 0x80 at offset 128"),
    "binary-png-header": raw(b"\x89PNG\r\n\x1a\n\x00\x00", 1, "not UTF-8: byte 0x89 at offset 0"),
    "binary-high-bytes": raw(b"name: x\n\xff\xfe\xfd\n", 2, "not UTF-8: byte 0xff at offset 8"),
    "nul-in-text": raw(b"name: x\nstack: a\x00b\n", 2, "control character U+0000"),
    "escape-char": raw("name: x\nstack: \x1b[31m\n", 2, "control character U+001B"),
    "nul-escape-in-string": scen("name: tiny-kill", 'name: "tiny\\0kill"', 1, "NUL character"),
}

CRASHES = {
    "alias-self-sequence": raw("name: x\nloop: &a [1, *a]\n", 2, "used inside the node it names"),
    "alias-self-mapping": raw("name: x\nloop: &a\n  x: *a\n", 3, "used inside the node it names"),
    "alias-self-merge": raw("name: x\nloop: &a\n  <<: *a\n", 3, "used inside the node it names"),
    "alias-unknown": raw("name: x\nstack: *nowhere\n", 2, "unknown alias '*nowhere'"),
    "nesting-flow-300": raw("name: " + "[" * 300 + "]" * 300 + "\n", 1, "nesting deeper than"),
    "nesting-flow-3000-unclosed": raw("x: " + "{a: " * 3000 + "\n", 1, "nesting deeper than"),
    "nesting-block-300": raw(nested_block(300), 35, "nesting deeper than 32 levels"),
    "nesting-dashes-300": raw("name: x\nl:\n" + "- " * 300 + "x\n", 3, "nesting deeper than"),
    "nesting-via-alias": raw(
        "d: &d " + "[" * 20 + "]" * 20 + "\ne: " + "[" * 20 + "*d" + "]" * 20 + "\n",
        2,
        "aliases expanded",
    ),
    "stack-name-300-chars": scen("stack: tiny", "stack: " + "s" * 300, 2, "not a stack name"),
    "scenario-name-300-chars": scen("name: tiny-kill", "name: " + "n" * 300, 1, "must be 1-63"),
    "stack-file-name-300": stack("name: tiny", "name: " + "t" * 300, 1, "must be 1-63"),
    "node-name-300-chars": stack("  c:\n", "  " + "c" * 300 + ":\n", 11, "must be 1-63"),
    "huge-integer": scen("recovery_time_s: 5", "recovery_time_s: " + "9" * 5000, 10, "cannot read"),
    "impossible-date": scen("recovery_time_s: 5", "recovery_time_s: 2024-13-45", 10, "cannot read"),
    "python-object-tag": scen("5\n", "!!python/object:os.system ls\n", 10, "malformed YAML"),
    "float-tag-on-word": scen("5\n", "!!float abc\n", 10, "is not a finite number"),
    "key-is-a-list": raw("name: x\n? [a, b]\n: c\n", 2, "a key must be a plain string"),
    "key-is-a-bool": raw("name: x\nyes: 1\n", 2, "key 'yes' is read as bool"),
    "node-key-is-int": stack("  c:\n", "  1:\n", 11, "key '1' is read as int"),
    "key-is-null": raw("name: x\n~: 1\n", 2, "is read as null"),
    "two-documents": raw("name: x\n---\nname: y\n", 2, "more than one YAML document"),
    "duplicate-key": raw("name: x\nstack: a\nname: y\n", 3, "duplicate key 'name'"),
    "tab-indent": raw("name: x\nprobe:\n\ttype: tcp\n", 3, "malformed YAML"),
    "unclosed-quote": raw('name: "x\nstack: y\n', 3, "malformed YAML"),
    "top-level-list": raw("- a\n- b\n", 1, "expected a mapping at the top level"),
    "top-level-scalar": raw("just words\n", 1, "expected a mapping at the top level"),
    "log-regex-invalid": stack(
        "    role: replica\n  c:",
        "    role: replica\n    ready:\n      - log: '(unclosed'\n  c:",
        12,
        "nodes.b.ready.0.log: 'log' is not a valid regular expression",
    ),
    "log-regex-too-long": stack(
        "    role: replica\n  c:",
        "    role: replica\n    ready:\n      - log: '" + "a" * 1500 + "'\n  c:",
        12,
        "'log' is longer than 1000 characters",
    ),
}

BOMBS = {
    "billion-laughs": raw(BILLION_LAUGHS, 6, "expands to more than 10000 values"),
    "wide-alias-fanout": raw(
        "a: &a [" + ", ".join(["x"] * 4000) + "]\nb: [*a, *a, *a]\n", 2, "expands to more than"
    ),
    "merge-chain": raw(MERGE_CHAIN, 0, "expands to more than"),
    "flat-list-20000": scen(
        "  type: tcp\n", "  type: tcp\n  junk: [" + "1," * 20000 + "]\n", 5, "expands to more than"
    ),
    "too-many-nodes": stack(
        "  c:\n    role: replica\n",
        "".join(f"  n{i}:\n    role: replica\n" for i in range(70)),
        5,
        "at most 64 items",
    ),
}

SILENT = {
    "port-zero": stack(
        "ports: [6379]", "ports: [0]", 8, "nodes.a.ports.0: port 0 is not in 1..65535"
    ),
    "port-too-big": stack("ports: [6379]", "ports: [70000]", 8, "port 70000 is not in 1..65535"),
    "port-negative": stack("ports: [6379]", "ports: [-1]", 8, "port -1 is not in 1..65535"),
    "port-duplicate": stack("ports: [6379]", "ports: [6379, 6379]", 8, "nodes.a.ports.1: the same"),
    "port-spec-duplicate": stack(
        "ports: [6379]", "ports: [6379, {container: 6379, host: 1}]", 8, "the same container port"
    ),
    "port-spec-zero": stack("ports: [6379]", "ports: [{container: 0}]", 8, "ports.0.container"),
    "host-port-twice": stack(
        "ports: [6379]\n  b:\n    role: replica\n",
        "ports: [{container: 1, host: 8080}]\n  b:\n    role: replica\n"
        "    ports: [{container: 2, host: 8080}]\n",
        11,
        "nodes.b.ports.0.host: host port 8080 is also published by 'a'",
    ),
    "link-listen-zero": stack("listen: 7000", "listen: 0", 16, "links.to-a.listen"),
    "redis-port-zero": stack(
        "kind: static", "kind: redis-sentinel\n  data_port: 0", 5, "data_port"
    ),
    "base60-port": stack("ports: [6379]", "ports: [1:30]", 8, "'1:30' is read as a base-60 number"),
    "stack-name-newline": stack("name: tiny", 'name: "tiny\\n"', 1, "must be 1-63"),
    "scenario-name-newline": scen("name: tiny-kill", 'name: "tiny-kill\\n"', 1, "must be 1-63"),
    "node-name-newline": stack("  c:\n", '  "c\\n":\n', 11, "must be 1-63"),
    "sql-table-newline": scen(
        "type: tcp\n  target: {node: a, port: 6379}", 'type: sql\n  table: "t\\n"', 5, "probe.table"
    ),
    "master-name-newline": stack(
        "kind: static", 'kind: redis-sentinel\n  master_name: "m\\n"', 5, "topology.master_name"
    ),
    "group-name-path": stack(
        "role: replica\n  c:", "role: replica\n    group: ../x\n  c:", 11, "must be 1-63"
    ),
    "link-name-newline": stack("  to-a:", '  "to-a\\n":', 14, "must be 1-63"),
    "env-name-empty": stack(
        "    role: replica\n  c:",
        '    role: replica\n    env: {"": x}\n  c:',
        11,
        "environment variable name ''",
    ),
    "env-name-digit": stack(
        "    role: replica\n  c:",
        "    role: replica\n    env: {1A: x}\n  c:",
        11,
        "environment variable name '1A'",
    ),
    "env-name-dash": stack(
        "    role: replica\n  c:", "    role: replica\n    env: {A-B: x}\n  c:", 11, "must match"
    ),
    "env-name-space": stack(
        "    role: replica\n  c:", "    role: replica\n    env: {A B: x}\n  c:", 11, "must match"
    ),
    "env-name-equals": stack(
        "    role: replica\n  c:", '    role: replica\n    env: {"A=B": x}\n  c:', 11, "must match"
    ),
    "env-name-newline": stack(
        "    role: replica\n  c:", '    role: replica\n    env: {"A\\n": x}\n  c:', 11, "must match"
    ),
    "files-relative-dotdot": stack(
        "    role: replica\n  c:",
        "    role: replica\n    files: {../etc/passwd: x}\n  c:",
        11,
        "absolute, normalised",
    ),
    "files-inner-dotdot": stack(
        "    role: replica\n  c:",
        "    role: replica\n    files: {/etc/../passwd: x}\n  c:",
        11,
        "no '..'",
    ),
    "files-directory": stack(
        "    role: replica\n  c:",
        "    role: replica\n    files: {/etc/: x}\n  c:",
        11,
        "trailing '/'",
    ),
    "files-root": stack(
        "    role: replica\n  c:",
        "    role: replica\n    files: {/: x}\n  c:",
        11,
        "absolute, normalised",
    ),
    "files-double-slash": stack(
        "    role: replica\n  c:",
        "    role: replica\n    files: {//etc/x: x}\n  c:",
        11,
        "absolute, normalised",
    ),
    "files-dot": stack(
        "    role: replica\n  c:",
        "    role: replica\n    files: {/etc/./x: x}\n  c:",
        11,
        "absolute, normalised",
    ),
    "nan-ready-timeout": stack(
        "kind: static", "kind: static\nready_timeout_s: .nan", 5, "'.nan' is not a finite number"
    ),
    "inf-budget": scen("recovery_time_s: 5", "recovery_time_s: .inf", 10, "'.inf' is not a finite"),
    "neg-inf-steady": scen(
        "budget:", "steady_state: {timeout_s: -.inf}\nbudget:", 9, "is not a finite"
    ),
    "overflow-float": scen(
        "recovery_time_s: 5", "recovery_time_s: 1.0e+999", 10, "is not a finite"
    ),
    "nan-toxicity": scen(
        "latency: 100}}", "latency: 100}, toxicity: .NaN}", 9, "not a finite", LINK
    ),
    "nan-string": scen(
        "action: kill", "action: kill\n  duration_s: 'nan'", 8, "finite number", SCENARIO
    ),
    "nan-error-rate": scen(
        "recovery_time_s: 5", "max_error_rate: {during: .nan}", 10, "not a finite"
    ),
    "nan-toxic-attribute": scen("latency: 100}", "latency: .nan}", 9, "not a finite", LINK),
    "entry-node-unknown": stack(
        "kind: static",
        "kind: patroni\n  entry: {node: ghost, port: 5000}\n  password: x",
        5,
        "topology.entry.node: unknown node 'ghost'",
    ),
    "link-fault-unknown": scen("link: to-a", "link: to-b", 8, "unknown link 'to-b'", LINK),
    "probe-target-unknown": scen("{node: a, port", "{node: ghost, port", 5, "unknown node 'ghost'"),
    "among-unknown-role": scen(
        "mode: groups", "mode: groups\n  among: [sentinel]", 9, "role 'sentinel'", PARTITION
    ),
    "groups-unknown-node": scen("[b, c]]", "[b, ghost]]", 9, "unknown node 'ghost'", PARTITION),
    "groups-node-twice": scen(
        "[b, c]]", "[b, a]]", 9, "fault.groups.1.1: node 'a' is already in group 0", PARTITION
    ),
    "groups-single": scen("[[a], [b, c]]", "[[a, b, c]]", 9, "at least two groups", PARTITION),
    "groups-empty-group": scen("[[a], [b, c]]", "[[a], []]", 9, "at least one node", PARTITION),
    "pick-minority-of-one": scen(
        "{role: primary}", "{role: primary, pick: minority}", 8, "selects no node"
    ),
    "pick-tolerable-node": scen(
        "{role: primary}", "{node: b, pick: tolerable}", 8, "pick 'tolerable' of 1"
    ),
    "target-node-unknown": scen("{role: primary}", "{node: ghost}", 8, "unknown node 'ghost'"),
    "depends-unknown": stack(
        "    role: replica\n  c:",
        "    role: replica\n    depends_on: [ghost]\n  c:",
        11,
        "nodes.b.depends_on.0: unknown node",
    ),
    "upstream-unknown": stack(
        "upstream: a:6379", "upstream: ghost:6379", 15, "links.to-a.upstream"
    ),
    "upstream-unicode-digits": stack(
        "upstream: a:6379", "upstream: a:\uff16\uff13\uff17\uff19", 15, "node:port"
    ),
    "http-path-crlf": scen(
        "type: tcp\n  target: {node: a, port: 6379}",
        'type: http\n  target: {node: a, port: 6379}\n  path: "/x\\r\\nHost: evil"',
        6,
        "probe.path",
    ),
    "toxic-negative": scen("latency: 100}", "latency: -5}", 9, "cannot be negative", LINK),
    "sql-user-injection": stack(
        "kind: static",
        "kind: patroni\n  entry: {node: a, port: 5000}\n  password: x\n  user: 'x password=y'",
        7,
        "topology.user",
    ),
}

ESCAPES = {
    "stack-dotdot": scen("stack: tiny", "stack: ../fixtures/stacks/tiny", 2, "never by a path"),
    "stack-absolute": scen("stack: tiny", "stack: /etc/passwd", 2, "never by a path"),
    "stack-deep-dotdot": scen("stack: tiny", "stack: ../../../../etc/hosts", 2, "never by a path"),
    "stack-inner-dotdot": scen("stack: tiny", "stack: tiny/../tiny", 2, "never by a path"),
    "stack-with-suffix": scen("stack: tiny", "stack: tiny.yaml", 2, "not a stack name"),
    "stack-dot": scen("stack: tiny", "stack: .", 2, "not a stack name"),
    "stack-home": scen("stack: tiny", "stack: ~/x", 2, "not a stack name"),
    "scenario-name-dotdot": scen("name: tiny-kill", "name: ../../evil", 1, "must be 1-63"),
    "scenario-name-slash": scen("name: tiny-kill", "name: a/b", 1, "must be 1-63"),
    "scenario-name-hidden": scen("name: tiny-kill", "name: .hidden", 1, "must be 1-63"),
    "scenario-name-upper": scen("name: tiny-kill", "name: Tiny Kill", 1, "must be 1-63"),
}

MISPLACED = {
    "toxicity-at-its-key": scen(
        "latency: 100}}", "latency: 100}, toxicity: 2}", 9, "fault.toxic.toxicity:", LINK
    ),
    "toxic-attr-at-its-key": scen(
        "latency: 100}", "latency: 100, rate: 1}", 9, "fault.toxic.attributes.rate:", LINK
    ),
    "link-model-error-at-fault": scen(
        "latency: 100}}", "latency: 100}}\n  down: true", 6, "fault: a link fault needs", LINK
    ),
    "link-name-bad-at-link": scen("link: to-a", "link: To_A", 8, "fault.link: name 'To_A'", LINK),
    "probe-interval-at-key": scen(
        "port: 6379}", "port: 6379}\n  interval_ms: 1", 6, "probe.interval_ms:"
    ),
    "cycle-at-depends-on": Case(
        "stack",
        STACK.replace("role: primary\n", "role: primary\n    depends_on: [b]\n").replace(
            "role: replica\n  c:", "role: replica\n    depends_on: [a]\n  c:"
        ),
        8,
        "nodes.a.depends_on: depends_on has a cycle among a, b",
    ),
    "link-named-as-node": stack(
        "  to-a:", "  a:", 14, "links.a: a link has the same name as a node"
    ),
    "image-missing-at-node": stack(
        "image: hachaos/tools:latest\n", "", 5, "nodes.a: node has no image"
    ),
    "listen-twice-at-key": stack(
        "    listen: 7000\n",
        "    listen: 7000\n  to-b:\n    upstream: b:1\n    listen: 7000\n",
        19,
        "links.to-b.listen: link 'to-a' already listens",
    ),
    "node-role-at-key": stack("role: replica\n  c:", "role: wizard\n  c:", 10, "nodes.b.role:"),
}

ALL = {**ENCODING, **CRASHES, **BOMBS, **SILENT, **ESCAPES, **MISPLACED}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "fixtures" / "stacks").mkdir(parents=True)
    (tmp_path / "fixtures" / "stacks" / "tiny.yaml").write_text(STACK)
    (tmp_path / "scenarios").mkdir()
    return tmp_path


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def load(tree: Path, case: Case) -> tuple[Path, Callable[[], object]]:
    """The file the case is in and a call that loads it."""
    if case.target == "stack":
        path = write(tree / "fixtures" / "stacks" / "tiny.yaml", case.content)
        return path, lambda: load_stack(path)
    path = write(tree / "scenarios" / "s.yaml", case.content)
    return path, lambda: load_scenario(path)


@pytest.mark.parametrize("case", ALL.values(), ids=ALL.keys())
def test_hostile_file_is_one_clean_problem(tree: Path, case: Case) -> None:
    path, call = load(tree, case)
    with pytest.raises(ConfigError) as exc:
        call()
    found = [(p.file, p.line, p.message) for p in exc.value.problems]
    assert all("\n" not in m and "Traceback" not in m for _, _, m in found), found
    hits = [(f, n) for f, n, m in found if case.fragment in m]
    assert hits, found
    file, line = hits[0]
    assert file == str(path)
    if case.line:  # 0: the line is not the point of the case
        assert line == case.line, found


def test_corpus_covers_every_kind() -> None:
    assert len(ALL) >= 60
    for kind in (ENCODING, CRASHES, BOMBS, SILENT, ESCAPES, MISPLACED):
        assert len(kind) >= 5


PURE_PYTHON_CASES = ["alias-self-mapping", "nesting-flow-300", "billion-laughs", "huge-integer"]


@pytest.mark.parametrize("name", PURE_PYTHON_CASES)
def test_same_bounds_without_libyaml(
    tree: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlsrc, "LOADER", yamlsrc.loader_class(yaml.SafeLoader))
    test_hostile_file_is_one_clean_problem(tree, ALL[name])
    path = write(tree / "scenarios" / "ok.yaml", SCENARIO)
    assert load_scenario(path).spec.name == "tiny-kill"


def test_utf8_bom_is_accepted(tree: Path) -> None:
    path = write(tree / "scenarios" / "s.yaml", b"\xef\xbb\xbf" + SCENARIO.encode())
    assert load_scenario(path).spec.name == "tiny-kill"


def test_shared_anchors_and_merges_still_load(tree: Path) -> None:
    text = STACK.replace(
        "  b:\n    role: replica\n  c:\n    role: replica\n",
        "  b: &r\n    role: replica\n  c:\n    <<: *r\n",
    )
    assert load_stack(write(tree / "s.yaml", text)).nodes["c"].role == "replica"


def test_20_mb_file_is_rejected_unread(tree: Path) -> None:
    path = tree / "scenarios" / "big.yaml"
    with path.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024)
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    [only] = exc.value.problems
    assert (only.line, only.message) == (
        1,
        "file is larger than 1024 KiB: not a stack or scenario file",
    )


@pytest.mark.parametrize("name", ["missing.yaml", "dir.yaml", "n" * 300 + ".yaml"])
def test_unreadable_path_is_a_problem(tree: Path, name: str) -> None:
    (tree / "dir.yaml").mkdir()
    with pytest.raises(ConfigError) as exc:
        load_stack(tree / name)
    [only] = exc.value.problems
    assert only.line == 1
    assert only.message.startswith("cannot read file: ")


@pytest.mark.parametrize("name", ["../stacks/tiny", "/etc/passwd", "tiny/", "", "TINY", "tiny\n"])
def test_stack_lookup_takes_names_only(tree: Path, name: str) -> None:
    assert find_stack_file(name, [tree / "fixtures" / "stacks"]) is None
    assert find_stack_file("tiny", [tree / "fixtures" / "stacks"]) is not None


@pytest.mark.parametrize(
    ("scenario", "run_id"),
    [("../../evil", "hc-1"), ("ok", "../x"), ("a/b", "hc-1"), ("x\n", "hc-1"), ("..", "hc-1")],
)
def test_history_path_stays_in_its_directory(tmp_path: Path, scenario: str, run_id: str) -> None:
    with pytest.raises(HachaosError):
        history_path(tmp_path, scenario, run_id)
    assert history_path(tmp_path, "ok", "hc-1") == tmp_path / "ok-hc-1.jsonl"


CLI_CASES = [
    "latin1-line1",
    "utf16-le-bom",
    "binary-png-header",
    "alias-self-sequence",
    "nesting-flow-300",
    "stack-name-300-chars",
    "billion-laughs",
    "stack-dotdot",
    "scenario-name-dotdot",
    "toxicity-at-its-key",
]


def validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    """Run `hachaos validate` in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "hachaos.cli", "validate", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_validate_exits_2_without_traceback(tree: Path) -> None:
    paths = {}
    for name in CLI_CASES:
        paths[name] = write(tree / "scenarios" / f"{name}.yaml", ALL[name].content)
    done = validate(*paths.values())
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    for name, path in paths.items():
        assert f"{path}:{ALL[name].line}: " in done.stderr, name
        assert ALL[name].fragment in done.stderr, name


def test_validate_rejects_a_huge_file_unread(tree: Path) -> None:
    path = tree / "scenarios" / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024)
    done = validate(path)
    assert done.returncode == 2
    assert done.stderr == f"{path}:1: file is larger than 1024 KiB: not a stack or scenario file\n"
