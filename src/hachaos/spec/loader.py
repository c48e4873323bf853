"""Load stack and scenario files into typed models, reporting every problem as `file:line`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from hachaos.errors import ConfigError, Problem
from hachaos.spec.compose import IncludeBudget, load_parts, merged_data, resolve_references
from hachaos.spec.expand import expand
from hachaos.spec.matrix import Point, points
from hachaos.spec.models import Role, SpecError, StackSpec, is_name, short
from hachaos.spec.overrides import apply_overrides
from hachaos.spec.params import HEAD_KEYS, ParamValue, StackHead
from hachaos.spec.references import alone, scenario_findings
from hachaos.spec.scenario import FaultSpec, ScenarioSpec
from hachaos.spec.yamlsrc import Located, load_located

M = TypeVar("M", bound=BaseModel)

STACKS_SUBDIR = Path("fixtures") / "stacks"


def _child(data: Any, part: Any) -> tuple[bool, Any]:
    """(True, data[part]) when `part` is a key or index of `data`, else (False, None)."""
    if isinstance(data, dict) and isinstance(part, str) and part in data:
        return True, data[part]
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return True, data[part]
    return False, None


def _same(a: Any, b: Any) -> bool:
    return a is b or (not isinstance(a, dict | list) and type(a) is type(b) and a == b)


def _embed(loc: Sequence[Any], data: Any, target: Any) -> tuple[Any, ...] | None:
    """The parts of `loc` that are keys in the file, leading from `data` to `target`.

    pydantic puts union tags into `loc` (`fault.link.toxic` for the `link` action); a tag can
    also be a key (`link:`), so the path that really reaches the erroneous input wins.
    """
    if not loc:
        return () if _same(data, target) else None
    found, child = _child(data, loc[0])
    if found:
        rest = _embed(loc[1:], child, target)
        if rest is not None:
            return (loc[0], *rest)
    return _embed(loc[1:], data, target)


def _yaml_loc(loc: Sequence[Any], src: Located, target: Any = None) -> tuple[Any, ...]:
    """The key path of `loc` in the file, without the tags pydantic adds inside unions."""
    exact = _embed(loc, src.data, target)
    if exact is not None:
        return exact
    out: tuple[Any, ...] = ()
    for part in loc:
        if (*out, part) in src.lines:
            out = (*out, part)
    return out


def _part(part: Any) -> str:
    """A key path part as shown: as is when plain, quoted (and cut short) otherwise."""
    text = str(part)
    return text if text.isprintable() and " " not in text and len(text) <= 63 else short(text)


def _describe(err: Any, loc: tuple[Any, ...]) -> str:
    path = ".".join(_part(p) for p in loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = ".".join(_part(p) for p in loc[:-1])
        where = f" in {parent}" if parent else ""
        return f"unknown key {short(str(err['loc'][-1]))}{where}"
    if kind == "missing":
        return f"missing required key '{'.'.join([*map(_part, loc), str(err['loc'][-1])])}'"
    if kind == "union_tag_invalid":
        ctx = err["ctx"]
        field = ctx["discriminator"].strip("'")
        expected = ctx["expected_tags"]
        return f"{path}.{field}: unknown {field} {short(ctx['tag'])} (expected one of {expected})"
    msg = err["msg"].removeprefix("Value error, ")
    given = err.get("input")
    shown = ""
    if not isinstance(given, dict | list) and given is not None and repr(given) not in msg:
        shown = f" (got {short(given)})"
    return f"{path}: {msg}{shown}" if path else f"{msg}{shown}"


def _problem(err: Any, src: Located) -> Problem:
    """Place one pydantic error on the line of the key it is about."""
    raw = err["loc"][:-1] if err["type"] == "missing" else err["loc"]
    loc = _yaml_loc(raw, src, err.get("input"))
    error = err.get("ctx", {}).get("error")
    if isinstance(error, SpecError):
        loc = (*loc, *error.loc)
    line_loc = loc
    if err["type"] == "union_tag_invalid":
        line_loc = (*loc, err["ctx"]["discriminator"].strip("'"))
    return Problem(src.file, src.line_of(line_loc), _describe(err, loc))


def _validate(model: type[M], src: Located) -> tuple[M | None, list[Problem]]:
    try:
        return model.model_validate(src.data), []
    except ValidationError as exc:
        problems = [_problem(e, src) for e in exc.errors(include_url=False)]
        return None, sorted(problems, key=lambda p: p.line)


def load_model(path: Path, model: type[M]) -> M:
    """Parse `path` (bounded, as every input file) and validate it as `model`; every problem
    as `file:line` in one ConfigError."""
    src = load_located(path)
    parsed, problems = _validate(model, src)
    if problems or parsed is None:
        raise ConfigError(problems)
    return parsed


def _template_paths(problems: list[Problem], head: StackHead, stack: Located) -> list[Problem]:
    """Problems about generated nodes named after their template (`nodes.server-2.role` ->
    `node_templates.server.node.role`), each reported once."""
    owner = {
        n: t
        for t in head.node_templates
        for n in stack.data.get("nodes", {})
        if re.fullmatch(rf"{re.escape(t)}-[0-9]+", str(n))
    }
    if not owner:
        return problems
    pattern = re.compile(rf"nodes\.({'|'.join(map(re.escape, owner))})(?![a-z0-9-])")
    out = {
        Problem(
            p.file, p.line, pattern.sub(lambda m: f"node_templates.{owner[m[1]]}.node", p.message)
        )
        for p in problems
    }
    return sorted(out, key=lambda p: p.line)


@dataclass(frozen=True)
class StackSource:
    """A stack file parsed once, with its parameter declarations; `expand` gives the plain
    stack for given parameter values (a stack without parameters has exactly one)."""

    path: Path
    src: Located
    head: StackHead
    stack_dirs: tuple[Path, ...] = ()
    chain: tuple[Path, ...] = ()  # the files including this one (cycle detection)
    budget: IncludeBudget | None = None  # an including stack's; None: one per expansion

    def expand(self, values: Mapping[str, ParamValue] | None = None) -> StackSpec:
        """The stack for `values` (defaults for the others); ConfigError when invalid."""
        values = values or {}
        bad = self.head.value_problems(values)
        if bad:
            name, why = next(iter(bad.items()))
            raise ConfigError([Problem(str(self.path), 1, f"parameter {name}: {why}")])
        expanded = expand(self.src, self.head, values)
        if "include" in expanded.data:
            budget = self.budget or IncludeBudget()
            spec, problems = _compose(expanded, self.path, self.stack_dirs, self.chain, budget)
        else:
            spec, problems = _validate(StackSpec, _no_parts(expanded))
        if problems or spec is None:
            raise ConfigError(_template_paths(problems, self.head, expanded))
        return spec

    def check_all(self) -> StackSpec:
        """Validate the stack with every choice of every parameter; the default expansion.
        A problem that only some values have names them (`with size=5`)."""
        per_point: list[tuple[str, list[Problem]]] = []
        default: StackSpec | None = None
        for values in self.head.choice_points():
            shown = ", ".join(f"{k}={v}" for k, v in self.head.values(values).items())
            try:
                spec = self.expand(values)
            except ConfigError as exc:
                per_point.append((shown, exc.problems))
                continue
            per_point.append((shown, []))
            default = default or spec
        problems = merge_points(per_point)
        if problems or default is None:
            raise ConfigError(problems)
        return default


def merge_points(per_point: Sequence[tuple[str, Sequence[Problem]]]) -> list[Problem]:
    """Problems found at several points of a parameter space, each once: as found when every
    point has it, else naming the points that do (`... (with size=1; size=3)`)."""
    where: dict[Problem, list[str]] = {}
    for label, problems in per_point:
        for p in dict.fromkeys(problems):  # once per point, however often it was reached
            where.setdefault(p, []).append(label)
    out = [
        p
        if len(labels) == len(per_point)
        else Problem(p.file, p.line, f"{p.message} (with {'; '.join(labels)})")
        for p, labels in where.items()
    ]
    return sorted(out, key=lambda p: (p.file, p.line))


def stack_source(
    path: Path,
    stack_dirs: Sequence[Path] = (),
    chain: tuple[Path, ...] = (),
    budget: IncludeBudget | None = None,
) -> StackSource:
    """Parse a stack file and validate its parameter declarations."""
    src = load_located(path)
    part = {k: src.data[k] for k in HEAD_KEYS if k in src.data}
    head, problems = _validate(StackHead, Located(src.file, part, src.lines))
    if problems or head is None:
        raise ConfigError(problems)
    return StackSource(path, src, head, tuple(stack_dirs), chain, budget)


def load_stack(
    path: Path,
    values: Mapping[str, ParamValue] | None = None,
    *,
    stack_dirs: Sequence[Path] = (),
    _chain: tuple[Path, ...] = (),
    _budget: IncludeBudget | None = None,
) -> StackSpec:
    """Parse and validate a stack file. With `values`, the stack for those parameter values;
    without, every choice is validated and the defaults' stack returned. Stacks it includes
    are looked up beside it, in `stack_dirs`, then in `fixtures/stacks` above it (see
    `hachaos.spec.compose`)."""
    source = stack_source(path, stack_dirs, _chain, _budget)
    return source.check_all() if values is None else source.expand(values)


def _no_parts(src: Located) -> Located:
    """`parts` is filled by the loader only: a file that writes it gets 'unknown key'."""
    if "parts" not in src.data:
        return src
    data = {k: v for k, v in src.data.items() if k != "parts"}
    data["parts "] = src.data["parts"]  # not a field: reported as an unknown key on its line
    lines = {**src.lines, ("parts ",): src.line_of(("parts",))}
    return Located(src.file, data, lines)


def _compose(
    src: Located,
    path: Path,
    stack_dirs: Sequence[Path],
    chain: tuple[Path, ...],
    budget: IncludeBudget,
) -> tuple[StackSpec | None, list[Problem]]:
    """Load the included stacks, substitute references into them, validate the merged stack."""
    dirs = [path.resolve().parent, *stack_search_dirs(path.resolve().parent, stack_dirs)]
    chain = (*chain, path.resolve())

    def load(child: Path, inner: tuple[Path, ...]) -> StackSpec:
        return load_stack(child, stack_dirs=stack_dirs, _chain=inner, _budget=budget)

    parts, problems = load_parts(src, chain, lambda n: find_stack_file(n, dirs), load, budget)
    data, bad_refs = resolve_references(src, parts)
    problems += bad_refs
    if "parts" in data:
        problems.append(src.problem(("parts",), "unknown key 'parts'"))
    if problems:
        return None, sorted(problems, key=lambda p: (p.file != src.file, p.line))
    merged = Located(src.file, merged_data(data, parts), src.lines)
    return _validate(StackSpec, merged)


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with the stack it runs against and where both came from; for a
    matrix scenario, one point of the matrix (`variant` e.g. `size=3`)."""

    spec: ScenarioSpec
    stack: StackSpec
    path: Path
    stack_path: Path
    point: Point = field(default_factory=Point)
    notes: tuple[str, ...] = ()  # the stack's notes for these parameter values, the scenario's

    @property
    def label(self) -> str:
        """The scenario's name, with its matrix point: `quorum-lose-majority[size=3]`."""
        return self.point.label(self.spec.name)


def stack_search_dirs(start: Path, extra: Iterable[Path] = ()) -> list[Path]:
    """Where stack files are looked up: explicit dirs, then `fixtures/stacks` above `start`."""
    dirs = [Path(d) for d in extra]
    for parent in [start, *start.parents]:
        candidate = parent / STACKS_SUBDIR
        if candidate.is_dir():
            dirs.append(candidate)
            break
    return dirs


def find_stack_file(name: str, dirs: Sequence[Path]) -> Path | None:
    """The stack file for `name` in the first dir that has one; a stack is found by its name
    only, so anything that is not a valid name (a path, '..') finds nothing."""
    if not is_name(name):
        return None
    for d in dirs:
        for suffix in (".yaml", ".yml"):
            p = d / f"{name}{suffix}"
            if p.is_file():
                return p
    return None


LOSSY_NODE_ACTIONS = ("kill", "pause", "restart")


def _impossible_budget(spec: ScenarioSpec, stack: StackSpec, src: Located) -> list[Problem]:
    """A zero loss budget (`max_lost_writes: 0` or `max_loss_window_s: 0`) can never hold when
    an asynchronous primary is killed, frozen or partitioned (by the `fault` or by any inject
    step): commits acknowledged before they reached a replica are lost on failover."""
    zero = [k for k in ("max_lost_writes", "max_loss_window_s") if getattr(spec.budget, k) == 0]
    if not zero or getattr(stack.topology, "replication", None) != "async":
        return []
    lossy = [what for _, fault in spec.faults() if (what := _lossy(fault)) is not None]
    if not lossy:
        return []
    return [
        src.problem(
            ("budget", key),
            f"{key}: 0 can never hold: stack '{stack.name}' replicates asynchronously, "
            f"so a {lossy[0]} can lose acknowledged writes; budget the loss (max_lost_writes: N "
            "and/or max_loss_window_s: S) or use a synchronous stack",
        )
        for key in zero
    ]


def _lossy(fault: FaultSpec) -> str | None:
    """What makes `fault` lose asynchronously replicated writes, or None."""
    role = getattr(getattr(fault, "target", None), "role", None)
    primary = role in (Role.PRIMARY, Role.MASTER)
    if fault.action == "partition":
        return "partition"
    if fault.action in LOSSY_NODE_ACTIONS and primary:
        return f"{fault.action} of the primary"
    return None


def _param_findings(src: Located, head: StackHead) -> list[Problem]:
    """`stack_params` and `matrix` name parameters the stack declares, with accepted values."""
    found: list[Problem] = []
    fixed = alone(dict[str, Any], src.data.get("stack_params")) or {}
    for name, why in head.value_problems(fixed).items():
        found.append(src.problem(("stack_params", name), f"stack_params.{name}: {why}"))
    matrix = alone(dict[str, list[Any]], src.data.get("matrix")) or {}
    for name, values in matrix.items():
        for i, value in enumerate(values):
            for why in head.value_problems({name: value}).values():
                found.append(src.problem(("matrix", name, i), f"matrix.{name}: {why}"))
    return found


def _scenario_points(src: Located) -> list[Point]:
    fixed = alone(dict[str, ParamValue], src.data.get("stack_params")) or {}
    matrix = alone(dict[str, list[ParamValue]], src.data.get("matrix")) or {}
    return points(fixed, matrix)


def _point_problems(
    src: Located, spec: ScenarioSpec | None, stack: StackSpec, point: Point
) -> list[Problem]:
    """References into the stack as expanded for one point."""
    found = [src.problem(f.loc, f.message) for f in scenario_findings(src.data, stack)]
    if spec is not None:
        found += _impossible_budget(spec, stack, src)
    return found


def _find_stack(
    src: Located, path: Path, stack_dirs: Sequence[Path]
) -> tuple[StackSource | None, list[Problem]]:
    stack_name = src.data.get("stack")
    if not is_name(stack_name):
        return None, []
    dirs = stack_search_dirs(path.resolve().parent, stack_dirs)
    stack_path = find_stack_file(stack_name, dirs)
    if stack_path is None:
        where = ", ".join(str(d) for d in dirs) or "no fixtures/stacks directory found"
        return None, [src.problem(("stack",), f"unknown stack '{stack_name}' (looked in {where})")]
    try:
        return stack_source(stack_path, stack_dirs), []
    except ConfigError as exc:
        return None, exc.problems


def load_scenario_points(
    path: Path, stack_dirs: Sequence[Path] = (), overrides: Mapping[str, str] | None = None
) -> list[LoadedScenario]:
    """Parse a scenario, find and parse its stack, and cross-check references between them,
    once per point of its matrix (one point without a matrix): a value a point cannot run with
    is an error naming it. `overrides` (the command line's stack parameter values) apply
    where the scenario leaves them open (`hachaos.spec.overrides`)."""
    src = load_located(path)
    spec, problems = _validate(ScenarioSpec, src)
    source, found = _find_stack(src, path, stack_dirs)
    problems += found
    loaded: list[LoadedScenario] = []
    if source is not None:
        params = _param_findings(src, source.head)
        per_point: list[tuple[str, list[Problem]]] = []
        for declared in _scenario_points(src) if not params else []:
            given = apply_overrides(declared, source.head, overrides or {}, source.path.stem)
            point = given.point
            try:
                stack = source.expand(point.values)
            except ConfigError as exc:
                per_point.append((point.variant, exc.problems))
                continue
            found = [*given.problems, *_point_problems(src, spec, stack, point)]
            per_point.append((point.variant, found))
            if spec is not None:
                notes = (*given.notes, *source.head.notes(point.values), *spec.notes)
                loaded.append(LoadedScenario(spec, stack, path, source.path, point, notes))
        problems += params + merge_points(per_point)
    problems = sorted(dict.fromkeys(problems), key=lambda p: (p.file != src.file, p.line))
    if problems or not loaded:
        raise ConfigError(problems)
    return loaded


def load_scenario(path: Path, stack_dirs: Sequence[Path] = ()) -> LoadedScenario:
    """A scenario validated at every point of its matrix (see `load_scenario_points`); its
    first point."""
    return load_scenario_points(path, stack_dirs)[0]


def is_scenario_file(path: Path) -> bool:
    """True when `path` looks like a scenario (a YAML file under a `scenarios` directory)."""
    return path.suffix in (".yaml", ".yml") and "scenarios" in path.parts
