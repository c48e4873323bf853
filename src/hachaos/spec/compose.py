"""Stack composition: `include:` other stack files under namespaces, and `${...}` references
into them.

```yaml
include:
  pg: {stack: postgres-patroni}      # found by name, like a scenario's `stack:`
nodes:
  app-1:
    env:
      DB_HOST: ${pg.haproxy}                   # a node of the included stack
      DB_ENTRY: ${pg.haproxy:5000}             # node:port, the port declared on that node
      DB_PASSWORD: ${pg.topology.password}     # a field of its topology (secrets included)
```

Node names stay as the included file declares them: its own configuration names them (etcd's
initial cluster, HAProxy's server lines, Sentinel's monitor, RabbitMQ's `rabbit@host`), so
renaming would mean rewriting the included file, i.e. copying it. A namespace is the handle of
the included stack: its topology, its roles (`{stack: pg, role: primary}`) and its references.
Two parts (or a part and the composing stack) declaring the same name is an error at the
include that brings the second one; so are a missing or cyclic include and a reference to a
namespace, node, port or topology field that does not exist. `$${` is a literal `${`;
`${NAME}` without a dot (a shell variable) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from hachaos.errors import ConfigError, Problem
from hachaos.spec.models import IncludeSpec, StackSpec, is_name
from hachaos.spec.references import alone
from hachaos.spec.yamlsrc import Loc, Located

REFERENCE = re.compile(r"\$\$\{|\$\{([a-z0-9-]+)\.([^}\s]*)\}")
MAX_INCLUDE_DEPTH = 8
MAX_INCLUDED_FILES = 32  # per stack expansion, nested includes counted: the platform reads 3

StackLoader = Callable[[Path, tuple[Path, ...]], StackSpec]
StackFinder = Callable[[str], Path | None]


@dataclass
class IncludeBudget:
    """How many more stack files one expansion of a stack may read through its includes, at
    every depth (each include counts, the same file again too): a few kilobytes that include
    each other many times over cannot make loading take exponential time."""

    left: int = MAX_INCLUDED_FILES

    def take(self) -> bool:
        """Count one more file read; False once the budget is spent."""
        self.left -= 1
        return self.left >= 0


@dataclass
class _Names:
    """Every in-network name claimed so far (node names, aliases, link names), by owner."""

    owners: dict[str, str] = field(default_factory=dict)
    listens: dict[int, str] = field(default_factory=dict)
    host_ports: dict[int, str] = field(default_factory=dict)

    def clashes(self, stack: StackSpec, owner: str) -> Iterator[str]:
        """Names, listen ports and fixed host ports of `stack` already claimed by others."""
        for name in _claimed_names(stack):
            if name in self.owners:
                yield f"name '{name}' is already declared by {self.owners[name]}"
        for link in stack.links.values():
            if link.listen in self.listens:
                yield f"link port {link.listen} is already used by {self.listens[link.listen]}"
        for port in _host_ports(stack):
            if port in self.host_ports:
                yield f"host port {port} is already published by {self.host_ports[port]}"

    def claim(self, stack: StackSpec, owner: str) -> None:
        """Record `stack`'s names and ports as `owner`'s."""
        for name in _claimed_names(stack):
            self.owners.setdefault(name, owner)
        for link in stack.links.values():
            self.listens.setdefault(link.listen, owner)
        for port in _host_ports(stack):
            self.host_ports.setdefault(port, owner)


def _claimed_names(stack: StackSpec) -> list[str]:
    names = [*stack.nodes, *stack.links]
    names += [a for spec in stack.nodes.values() for a in spec.aliases]
    return names


def _host_ports(stack: StackSpec) -> list[int]:
    return [p.host for s in stack.nodes.values() for p in s.port_specs() if p.host is not None]


def _own_claims(data: dict[str, Any], names: _Names, owner: str) -> None:
    """Claim the composing file's own names and ports straight from its data (its own
    validation, which needs the parts, reports anything malformed)."""
    nodes = data.get("nodes")
    for name, raw in nodes.items() if isinstance(nodes, dict) else ():
        names.owners.setdefault(str(name), owner)
        node = raw if isinstance(raw, dict) else {}
        aliases = node.get("aliases")
        for alias in aliases if isinstance(aliases, list) else ():
            names.owners.setdefault(str(alias), owner)
        ports = node.get("ports")
        for port in ports if isinstance(ports, list) else ():
            if isinstance(port, dict) and isinstance(port.get("host"), int):
                names.host_ports.setdefault(port["host"], owner)
    links = data.get("links")
    for name, link in links.items() if isinstance(links, dict) else ():
        names.owners.setdefault(str(name), owner)
        if isinstance(link, dict) and isinstance(link.get("listen"), int):
            names.listens.setdefault(link["listen"], owner)


def load_parts(
    src: Located,
    chain: tuple[Path, ...],
    find: StackFinder,
    load: StackLoader,
    budget: IncludeBudget,
) -> tuple[dict[str, StackSpec], list[Problem]]:
    """Load every stack `src` includes (recursively, through `load`); problems of this file at
    the include lines, problems of an included file as that file's own ConfigError."""
    include = src.data.get("include")
    if not isinstance(include, dict):
        return {}, []
    parts: dict[str, StackSpec] = {}
    problems: list[Problem] = []
    if len(chain) > MAX_INCLUDE_DEPTH:
        where = ("include",)
        return {}, [src.problem(where, f"includes nest deeper than {MAX_INCLUDE_DEPTH} levels")]
    names = _Names()
    _own_claims(src.data, names, f"this stack ('{src.data.get('name', '?')}')")
    for ns, raw in include.items():
        entry = alone(IncludeSpec, raw)
        if not is_name(ns) or entry is None:
            continue  # the model validation reports it
        part, found = _load_one(src, (ns, entry), chain, find, load, budget=budget)
        problems.extend(found)
        if part is None:
            continue
        owner = f"included stack '{ns}' ({part.name})"
        clash = next(names.clashes(part, owner), None)
        if clash is not None:  # kept as a part, so its references are still checked
            problems.append(src.problem(("include", ns), f"{owner}: {clash}"))
        names.claim(part, owner)
        parts[ns] = part
    return parts, problems


def _load_one(
    src: Located,
    included: tuple[str, IncludeSpec],
    chain: tuple[Path, ...],
    find: StackFinder,
    load: StackLoader,
    *,
    budget: IncludeBudget,
) -> tuple[StackSpec | None, list[Problem]]:
    """One included stack, loaded; or the problem at its include line."""
    ns, entry = included
    where: Loc = ("include", ns, "stack")
    path = find(entry.stack)
    if path is None:
        hint = f"no {entry.stack}.yaml beside this file or in fixtures/stacks"
        return None, [src.problem(where, f"unknown stack '{entry.stack}' ({hint})")]
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(p.stem for p in (*chain, resolved))
        return None, [src.problem(where, f"cyclic include: {cycle}")]
    if not budget.take():
        return None, [
            src.problem(
                where,
                f"includes read more than {MAX_INCLUDED_FILES} stack files in all (each "
                "include counts, the same file again too)",
            )
        ]
    try:
        return load(path, chain), []
    except ConfigError as exc:
        return None, exc.problems


def merged_data(data: dict[str, Any], parts: dict[str, StackSpec]) -> dict[str, Any]:
    """`data` with every part's nodes (each with its image made explicit) and links added in
    front of its own, and the parts themselves, ready for StackSpec validation."""
    nodes: dict[str, Any] = {}
    links: dict[str, Any] = {}
    for part in parts.values():
        for name, spec in part.nodes.items():
            nodes[name] = spec.model_copy(update={"image": part.image_of(name)})
        links.update(part.links)
    own_nodes = data.get("nodes")
    own_links = data.get("links")
    merged = dict(data)
    merged["nodes"] = {**nodes, **own_nodes} if isinstance(own_nodes, dict) else own_nodes
    if links or own_links is not None:
        merged["links"] = {**links, **own_links} if isinstance(own_links, dict) else own_links
    merged["parts"] = parts
    return merged


def _value_of(parts: dict[str, StackSpec], ns: str, path: str, secrets: bool) -> str:
    """What one reference stands for (a secret only where `secrets`); raises ValueError with
    the reason."""
    part = parts.get(ns)
    if part is None:
        known = ", ".join(parts) or "none"
        raise ValueError(f"'{ns}' is not an included stack (included: {known})")
    if path.startswith("topology."):
        return _topology_field(part, ns, path.removeprefix("topology."), secrets)
    node, _, port = path.partition(":")
    if node not in part.nodes:
        nodes = ", ".join(part.nodes)
        raise ValueError(f"unknown node '{node}' in included stack '{ns}' (nodes: {nodes})")
    if not port:
        return node
    ports = [p.container for p in part.nodes[node].port_specs()]
    if not port.isdigit() or int(port) not in ports:
        shown = ", ".join(map(str, ports)) or "none"
        raise ValueError(f"node '{node}' of '{ns}' declares no port {port!r} (ports: {shown})")
    return f"{node}:{port}"


def _topology_field(part: StackSpec, ns: str, name: str, secrets: bool) -> str:
    topo = part.topology
    fields = [f for f in type(topo).model_fields if f != "kind"]
    if name not in fields:
        known = ", ".join(fields) or "none"
        raise ValueError(
            f"the {topo.kind} topology of '{ns}' has no field '{name}' (fields: {known})"
        )
    value = getattr(topo, name)
    if isinstance(value, SecretStr):
        if not secrets:  # a validated value: its error would show the secret
            raise ValueError(
                f"topology field '{name}' of '{ns}' is a secret: it may go into a node's env, "
                "command or files only"
            )
        return value.get_secret_value()
    if hasattr(value, "model_dump"):
        raise ValueError(f"topology field '{name}' of '{ns}' is not a single value")
    return str(value)


def substitute(text: str, parts: dict[str, StackSpec], *, secrets: bool = True) -> str:
    """`text` with every `${ns.…}` reference replaced; raises ValueError on the first bad one
    (a secret field when not `secrets`)."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        return _value_of(parts, match.group(1), match.group(2), secrets)

    return REFERENCE.sub(one, text)


SECRET_KEYS = frozenset({"env", "command", "files"})  # plain strings, never validated by content


def _strings(data: dict[str, Any]) -> Iterator[tuple[Loc, str]]:
    """Every string of the composing file where references are read: node env, command and
    files, and link upstreams, with its key path."""
    nodes = data.get("nodes")
    for name, node in nodes.items() if isinstance(nodes, dict) else ():
        if not isinstance(node, dict):
            continue
        for key in ("env", "files"):
            values = node.get(key)
            for k, v in values.items() if isinstance(values, dict) else ():
                yield ("nodes", name, key, k), v
        command = node.get("command")
        for i, arg in enumerate(command) if isinstance(command, list) else ():
            yield ("nodes", name, "command", i), arg
    links = data.get("links")
    for name, link in links.items() if isinstance(links, dict) else ():
        if isinstance(link, dict) and "upstream" in link:
            yield ("links", name, "upstream"), link["upstream"]


def resolve_references(
    src: Located, parts: dict[str, StackSpec]
) -> tuple[dict[str, Any], list[Problem]]:
    """A copy of `src.data` with the references substituted, and a problem per bad one."""
    data = _copy(src.data)
    problems: list[Problem] = []
    for loc, value in list(_strings(data)):
        if not isinstance(value, str) or "${" not in value:
            continue
        try:
            secrets = loc[0] == "nodes" and loc[2] in SECRET_KEYS
            _set(data, loc, substitute(value, parts, secrets=secrets))
        except ValueError as exc:
            problems.append(src.problem(loc, f"{'.'.join(map(str, loc))}: {exc}"))
    return data, problems


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def _set(data: Any, loc: Sequence[str | int], value: str) -> None:
    for part in loc[:-1]:
        data = data[part]
    data[loc[-1]] = value
