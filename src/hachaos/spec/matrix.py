"""A scenario's points: the stack parameter values it runs with, one per matrix combination."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hachaos.spec.params import ParamValue, render


@dataclass(frozen=True)
class Point:
    """One combination: every value the scenario sets, and which of them vary (the matrix)."""

    values: Mapping[str, ParamValue] = field(default_factory=dict)
    varying: tuple[str, ...] = ()

    @property
    def variant(self) -> str:
        """`size=3` (matrix parameters only, in matrix order); '' without a matrix."""
        return ",".join(f"{k}={render(self.values[k])}" for k in self.varying)

    def label(self, scenario: str) -> str:
        """`quorum-lose-majority[size=3]`, or the bare name without a matrix."""
        return f"{scenario}[{self.variant}]" if self.varying else scenario


def points(
    fixed: Mapping[str, ParamValue], matrix: Mapping[str, Sequence[ParamValue]]
) -> list[Point]:
    """The cartesian product of `matrix`, each with the `fixed` values, in declaration order."""
    keys = tuple(matrix)
    return [
        Point({**fixed, **dict(zip(keys, combo, strict=True))}, keys)
        for combo in itertools.product(*(matrix[k] for k in keys))
    ]
