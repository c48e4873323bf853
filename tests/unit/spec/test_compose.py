"""Stack composition: includes, namespaces, cross-stack references, and bad input as
file:line problems (missing, cyclic, clashing includes, references that do not exist)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pydantic import SecretStr

from hachaos.errors import ConfigError
from hachaos.spec.compose import substitute
from hachaos.spec.loader import load_scenario, load_stack
from hachaos.spec.models import PatroniTopology, StackSpec

DB = """\
name: db
image: hachaos/postgres:latest
topology:
  kind: patroni
  entry: {node: front, port: 5000}
  password: s3cret-test
nodes:
  db-1: {role: primary, ports: [5432, 8008]}
  db-2: {role: replica, ports: [5432, 8008]}
  front: {role: lb, ports: [5000], image: hachaos/haproxy:latest}
"""

CACHE = """\
name: cache
image: hachaos/redis:latest
topology: {kind: redis-sentinel, master_name: mymaster}
nodes:
  redis-1: {role: master, ports: [6379]}
  redis-2: {role: replica, ports: [6379]}
  sentinel-1: {role: sentinel, ports: [26379]}
"""

APP = """\
name: app
image: hachaos/tools:latest
include:
  pg: {stack: db}
  kv: {stack: cache}
links:
  app-pg: {upstream: "${pg.front:5000}", listen: 15432}
nodes:
  web:
    role: app
    depends_on: [front, sentinel-1]
    env:
      DB: "postgresql://${pg.topology.user}:${pg.topology.password}@app-pg:15432/x"
      SENTINEL: "${kv.sentinel-1:26379}"
      MASTER: "${kv.topology.master_name}"
      SHELL: "${HOME} $${pg.literal}"
  lb: {role: lb}
"""


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    d = tmp_path / "fixtures" / "stacks"
    d.mkdir(parents=True)
    (d / "db.yaml").write_text(DB)
    (d / "cache.yaml").write_text(CACHE)
    (d / "app.yaml").write_text(APP)
    (tmp_path / "scenarios").mkdir()
    return d


def write(d: Path, name: str, text: str) -> Path:
    path = d / f"{name}.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def messages(exc: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return [f"{Path(p.file).name}:{p.line}: {p.message}" for p in exc.value.problems]


def test_included_nodes_links_and_parts_are_merged(stacks: Path) -> None:
    spec = load_stack(stacks / "app.yaml")
    assert list(spec.parts) == ["pg", "kv"]
    assert set(spec.nodes) == {
        "db-1",
        "db-2",
        "front",
        "redis-1",
        "redis-2",
        "sentinel-1",
        "web",
        "lb",
    }
    assert spec.image_of("db-1") == "hachaos/postgres:latest"  # the part's default image
    assert spec.image_of("front") == "hachaos/haproxy:latest"
    assert spec.image_of("web") == "hachaos/tools:latest"
    assert spec.links["app-pg"].upstream == "front:5000"
    assert isinstance(spec.parts["pg"].topology, PatroniTopology)
    assert spec.part_of("redis-2") == "kv"
    assert spec.part_of("web") is None


def test_references_are_substituted_and_shell_variables_left_alone(stacks: Path) -> None:
    env = load_stack(stacks / "app.yaml").nodes["web"].env
    assert env["DB"] == "postgresql://postgres:s3cret-test@app-pg:15432/x"
    assert env["SENTINEL"] == "sentinel-1:26379"
    assert env["MASTER"] == "mymaster"
    assert env["SHELL"] == "${HOME} ${pg.literal}"


def test_own_view_keeps_own_nodes_and_topology(stacks: Path) -> None:
    own = load_stack(stacks / "app.yaml").own()
    assert set(own.nodes) == {"web", "lb"}
    assert set(own.links) == {"app-pg"}
    assert own.parts == {}
    assert own.topology.kind == "static"


def test_missing_include_is_a_problem_at_its_line(stacks: Path) -> None:
    path = write(
        stacks,
        "bad",
        "name: bad\nimage: x\ninclude:\n  pg: {stack: nope}\nnodes:\n  a: {role: app}\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_stack(path)
    assert messages(exc) == [
        "bad.yaml:4: unknown stack 'nope' (no nope.yaml beside this file or in fixtures/stacks)"
    ]


def test_cyclic_include_is_a_problem(stacks: Path) -> None:
    write(
        stacks,
        "one",
        "name: one\nimage: x\ninclude:\n  t: {stack: two}\nnodes:\n  a: {role: app}\n",
    )
    write(
        stacks,
        "two",
        "name: two\nimage: x\ninclude:\n  o: {stack: one}\nnodes:\n  b: {role: app}\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_stack(stacks / "one.yaml")
    assert messages(exc) == ["two.yaml:4: cyclic include: one -> two -> one"]


def test_self_include_is_cyclic(stacks: Path) -> None:
    path = write(
        stacks, "me", "name: me\nimage: x\ninclude:\n  m: {stack: me}\nnodes:\n  a: {role: app}\n"
    )
    with pytest.raises(ConfigError) as exc:
        load_stack(path)
    assert messages(exc) == ["me.yaml:4: cyclic include: me -> me"]


def test_name_clash_between_included_stacks(stacks: Path) -> None:
    path = write(
        stacks,
        "twice",
        "name: twice\nimage: x\ninclude:\n  a: {stack: db}\n  b: {stack: db}\n"
        "nodes:\n  w: {role: app}\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_stack(path)
    assert messages(exc) == [
        "twice.yaml:5: included stack 'b' (db): name 'db-1' is already declared by "
        "included stack 'a' (db)"
    ]


def test_name_clash_with_own_node(stacks: Path) -> None:
    path = write(
        stacks,
        "own",
        "name: own\nimage: x\ninclude:\n  a: {stack: db}\nnodes:\n  front: {role: lb}\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_stack(path)
    assert messages(exc) == [
        "own.yaml:4: included stack 'a' (db): name 'front' is already declared by "
        "this stack ('own')"
    ]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("${pg.nope}", "unknown node 'nope' in included stack 'pg' (nodes: db-1, db-2, front)"),
        ("${pg.front:5001}", "node 'front' of 'pg' declares no port '5001' (ports: 5000)"),
        ("${px.front}", "'px' is not an included stack (included: pg, kv)"),
        (
            "${pg.topology.pass}",
            "the patroni topology of 'pg' has no field 'pass' (fields: replication, rest_port, "
            "pg_port, entry, database, user, password)",
        ),
        ("${pg.topology.entry}", "topology field 'entry' of 'pg' is not a single value"),
    ],
)
def test_bad_reference_is_a_problem_at_its_key(stacks: Path, ref: str, message: str) -> None:
    path = write(stacks, "refs", APP.replace("${kv.sentinel-1:26379}", ref))
    with pytest.raises(ConfigError) as exc:
        load_stack(path)
    assert messages(exc) == [f"refs.yaml:14: nodes.web.env.SENTINEL: {message}"]


def test_unknown_included_node_in_depends_on(stacks: Path) -> None:
    path = write(stacks, "dep", APP.replace("[front, sentinel-1]", "[front, sentinel-9]"))
    with pytest.raises(ConfigError) as exc:
        load_stack(path)
    assert messages(exc) == ["dep.yaml:11: nodes.web.depends_on.1: unknown node 'sentinel-9'"]


def test_parts_cannot_be_written_by_hand(stacks: Path) -> None:
    path = write(stacks, "hand", "name: hand\nimage: x\nparts: {}\nnodes:\n  a: {role: app}\n")
    with pytest.raises(ConfigError) as exc:
        load_stack(path)
    assert messages(exc) == ["hand.yaml:3: unknown key 'parts '"]


SCENARIO = """\
name: s
stack: app
probe: {type: tcp, target: {node: lb, port: 80}}
fault: {action: kill, target: TARGET}
budget: {recovery_time_s: 5}
"""


def scenario(stacks: Path, target: str) -> Path:
    path = stacks.parents[1] / "scenarios" / "s.yaml"
    path.write_text(SCENARIO.replace("TARGET", target))
    return path


@pytest.mark.parametrize(
    "target",
    ["{stack: pg, role: primary}", "{stack: kv, role: master}", "{role: app}", "{node: db-2}"],
)
def test_targets_in_namespaces_validate(stacks: Path, target: str) -> None:
    load_scenario(scenario(stacks, target))


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "{role: primary}",
            "no node has role 'primary' in stack 'app' (roles: app, lb); included stack 'pg' "
            "has it: add 'stack: pg'",
        ),
        (
            "{stack: nope, role: primary}",
            "stack 'app' includes no stack as 'nope' (included: pg, kv)",
        ),
        ("{stack: kv, role: etcd}", "no node has role 'etcd' in stack 'cache'"),
        ("{stack: pg, node: redis-1}", "unknown node 'redis-1' in stack 'db'"),
    ],
)
def test_bad_targets_name_their_line(stacks: Path, target: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_scenario(scenario(stacks, target))
    [only] = messages(exc)
    assert only.startswith(f"s.yaml:4: {message}")


def test_substitute_reads_secret_values() -> None:
    part = StackSpec.model_validate(
        {
            "name": "p",
            "image": "x",
            "topology": {"kind": "rabbitmq", "password": SecretStr("tok")},
            "nodes": {"r-1": {"role": "rabbit", "ports": [5672]}},
        }
    )
    assert substitute("${mq.topology.password}@${mq.r-1:5672}", {"mq": part}) == "tok@r-1:5672"


def test_platform_stack_composes_the_three_datastore_stacks() -> None:
    repo = Path(__file__).resolve().parents[3]
    spec = load_stack(repo / "fixtures" / "stacks" / "platform.yaml")
    assert list(spec.parts) == ["pg", "cache", "mq"]
    assert {p.name for p in spec.parts.values()} == {
        "postgres-patroni",
        "redis-sentinel",
        "rabbitmq-cluster",
    }
    assert spec.links["app-1-pg"].upstream == "haproxy:5000"
    assert "hachaos-test-only" in spec.nodes["app-1"].env["PG_PASSWORD"]


LEDGER_SCENARIO = """\
name: b
stack: app
probe: {type: PROBE, target: {node: lb, port: 80}}
workload: {type: build-ledger, database: DB}
fault: {action: kill, target: {role: app}}
budget: {recovery_time_s: 5}
"""


@pytest.mark.parametrize(
    ("probe", "db", "message"),
    [
        ("build", "pg", None),
        (
            "build",
            "kv",
            "s.yaml:4: 'kv' is not an included Patroni stack of 'app' (Patroni "
            "stacks included: pg)",
        ),
        ("tcp", "pg", "s.yaml:4: build-ledger judges the builds of a 'build' probe"),
    ],
)
def test_build_ledger_needs_a_patroni_part_and_the_build_probe(
    stacks: Path, probe: str, db: str, message: str | None
) -> None:
    path = stacks.parents[1] / "scenarios" / "s.yaml"
    path.write_text(LEDGER_SCENARIO.replace("PROBE", probe).replace("DB", db))
    if message is None:
        load_scenario(path)
        return
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    assert messages(exc) == [message]


def test_build_probe_interval_is_at_most_100_ms(stacks: Path) -> None:
    path = stacks.parents[1] / "scenarios" / "s.yaml"
    text = LEDGER_SCENARIO.replace("PROBE", "build").replace("DB", "pg")
    path.write_text(text.replace("port: 80}}", "port: 80}, interval_ms: 150}"))
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    assert "less than or equal to 100" in messages(exc)[0]


def test_a_secret_in_a_validated_value_is_refused_without_showing_it(stacks: Path) -> None:
    path = write(
        stacks,
        "leak",
        "name: leak\nimage: x\ninclude:\n  pg: {stack: db}\nlinks:\n"
        '  l1: {upstream: "${pg.topology.password}", listen: 15432}\n'
        "nodes:\n  w: {role: app}\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_stack(path)
    assert messages(exc) == [
        "leak.yaml:6: links.l1.upstream: topology field 'password' of 'pg' is a secret: "
        "it may go into a node's env, command or files only"
    ]
    assert "s3cret-test" not in str(exc.value)


def test_includes_read_a_bounded_number_of_files(stacks: Path) -> None:
    # each level includes the next one twice: 2 + 4 + ... + 2**7 files without a bound
    write(stacks, "level-7", "name: level-7\nimage: x\nnodes:\n  a: {role: app}\n")
    for i in range(7):
        write(
            stacks,
            f"level-{i}",
            f"name: level-{i}\nimage: x\ninclude:\n"
            f"  x: {{stack: level-{i + 1}}}\n  y: {{stack: level-{i + 1}}}\n"
            f"nodes:\n  n{i}: {{role: app}}\n",
        )
    with pytest.raises(ConfigError) as exc:
        load_stack(stacks / "level-0.yaml")
    assert (
        "includes read more than 32 stack files in all (each include counts, the same file "
        "again too)" in {p.message for p in exc.value.problems}
    )


def test_a_problem_reached_twice_is_reported_once_as_found(stacks: Path) -> None:
    write(stacks, "leaf", "name: leaf\nimage: x\nnodes:\n  l: {role: nope}\n")
    for side in ("left", "right"):
        write(
            stacks,
            side,
            f"name: {side}\nimage: x\ninclude:\n  f: {{stack: leaf}}\nnodes:\n  {side}: {{}}\n",
        )
    top = write(
        stacks,
        "top",
        "name: top\nimage: x\ninclude:\n  a: {stack: left}\n  b: {stack: right}\n"
        "nodes:\n  t: {role: app}\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_stack(top)
    assert [m for m in messages(exc) if "(with" in m] == []
    assert len([m for m in messages(exc) if m.startswith("leaf.yaml:4:")]) == 1
