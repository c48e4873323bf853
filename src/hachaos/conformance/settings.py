"""A worker's settings as the worker sees them: its main process's environment or its
configuration file. Values are secrets until proven otherwise: they are read with the command
log muted, and no message built here ever contains one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hachaos.conformance.profile import SettingsSource
from hachaos.conformance.shell import Ran, Remote

_LINE = re.compile(r"^\s*(#+)?\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*?)\s*$")
# A process pattern whose first character is bracketed ("[p]latform") does not match the
# command line of the shell that runs pgrep, so only the real process is found.
ENV_SCRIPT = (
    'pid=$(pgrep -o -f -- "$1") || { echo "no process matches" >&2; exit 3; }; '
    'tr "\\0" "\\n" < "/proc/$pid/environ"'
)


@dataclass(frozen=True)
class Settings:
    """Values by name, names found only commented out (with their line), and where from."""

    source: str
    values: dict[str, str] = field(default_factory=dict)
    commented: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:  # never the values
        return f"Settings({self.source}, {sorted(self.values)})"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def parse_settings(text: str, source: str) -> Settings:
    """`KEY=VALUE`, `KEY: VALUE`, `export KEY=VALUE` lines; `# KEY=...` is commented out."""
    values: dict[str, str] = {}
    commented: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        m = _LINE.match(line)
        if m is None:
            continue
        hashes, key, value = m.groups()
        if hashes:
            commented.setdefault(key, number)
        else:
            values[key] = _unquote(value)
    return Settings(source, values, {k: n for k, n in commented.items() if k not in values})


def self_proof(pattern: str) -> str:
    """`pattern` with its first character bracketed, so pgrep does not find its own shell."""
    return f"[{pattern[0]}]{pattern[1:]}"


def read_settings(shell: Remote, source: SettingsSource) -> Settings | Ran:
    """The settings from `source` on the machine behind `shell`, or the failed command."""
    if source.process is not None:
        ran = shell.run_secret(["sh", "-c", ENV_SCRIPT, "env", self_proof(source.process)])
        where = f"the environment of the process matching {source.process!r}"
    else:
        assert source.file is not None  # one of the two, by validation
        ran = shell.run_secret(["cat", "--", source.file])
        where = source.file
    return parse_settings(ran.stdout, where) if ran.ok else Ran(ran.rc, "", ran.stderr)
