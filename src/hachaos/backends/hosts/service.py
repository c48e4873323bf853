"""The shell a host runs to find, signal, stop and start a node's service: one POSIX `sh`
script per action, one round trip each.

The main process is found by the service's finder (supervisord program, systemd unit, pidfile or
`pgrep -f` pattern). A fault acts on all of the service's processes, as a container's are all
killed or frozen together: the main process and its descendants, its process group when it
leads one, and whatever the `also` patterns match (with their descendants). Patterns and
names reach the host base64-encoded, so the script's own command line never matches them.
"""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass

from hachaos.spec.hosts import ServiceSpec

SIGNALS = ("KILL", "TERM", "STOP", "CONT")

COMMON = r"""
b() { printf %s "$1" | base64 -d; }
stat_of() {
  ST= SS= PG=; read -r l 2>/dev/null <"/proc/$1/stat" || return 1
  l=${l##*) }; set -- $l; ST=$1; PG=$3; SS=${20}
}
alive() { stat_of "$1" && [ "$ST" != Z ] && [ "$ST" != X ]; }
numeric() { case "$1" in ''|0|*[!0-9]*) return 1;; esac; }
tree() {
  ps -e -o pid=,ppid= | awk -v roots=" $* " -v self="$$" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { pp[$1] = $2; order[NR] = $1 }
    END { a = self; while ((a in pp) && a > 1) { mine[a] = 1; a = pp[a] }
      grown = 1
      while (grown) { grown = 0
        for (i = 1; i <= NR; i++) { p = order[i]
          if (!(p in keep) && (pp[p] in keep) && !(p in mine)) { keep[p] = 1; grown = 1 } } }
      for (p in keep) if (p > 1 && !(p in mine)) print p }'
}
"""

FINDERS = {
    "supervisor": 'p=$(supervisorctl pid "$(b {arg})" 2>&1); why="supervisorctl: $p"',
    "systemd": 'p=$(systemctl show -p MainPID --value "$(b {arg})" 2>&1); why="systemd: $p"',
    "pidfile": 'p=$(cat "$(b {arg})" 2>&1); why="pidfile: $p"',
    "pgrep": 'p=$(pgrep -o -f -- "$(b {arg})"); why="no process matches the pattern"',
}

MAIN = r"""
find_main() {{
  if [ -n "$H_PID" ] && alive "$H_PID" && [ "$SS" = "$H_START" ]; then
    M=$H_PID; return 0
  fi
  if [ -n "$H_GONE" ]; then WHY="main process $H_PID is gone"; return 1; fi
  {finder}
  if numeric "$p" && alive "$p"; then M=$p; return 0; fi
  [ "$why" = "supervisorctl: 0" ] && why="supervisorctl: not running"
  WHY=$(printf %s "$why" | tr '\n' ' ' | head -c 300); return 1
}}
pids() {{
  find_main || return 1
  roots="$M"
  if [ "$PG" = "$M" ]; then roots="$roots $(pgrep -g "$M" | tr '\n' ' ')"; fi
  for pat in {also}; do roots="$roots $(pgrep -f -- "$(b "$pat")" | tr '\n' ' ')"; done
  tree $roots
}}
"""

STATUS = r"""
if find_main && stat_of "$M"; then echo "running $M $ST $SS"; else echo "stopped $WHY"; fi
"""

SIGNAL = r"""
ps_=$(pids) || {{ echo "stopped"; exit 3; }}
kill -s {sig} $ps_ 2>/dev/null
echo "signalled $(echo $ps_ | wc -w)"
"""


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass(frozen=True)
class Status:
    """The service's main process as seen now: running (with its pid and state) or not."""

    running: bool
    pid: int | None
    state: str  # the kernel's process state letter (T: stopped by a signal), or why not running
    started: int | None = None  # the process's start time (clock ticks after boot)

    @property
    def paused(self) -> bool:
        """Frozen by SIGSTOP."""
        return self.running and self.state == "T"

    @classmethod
    def parse(cls, output: str) -> Status:
        """Parse the status script's last line (`running PID STATE` / `stopped WHY`)."""
        lines = output.strip().splitlines() or ["stopped no output"]
        words = lines[-1].split()
        if words[0] == "running" and len(words) == 4 and words[1].isdigit() and words[3].isdigit():
            return cls(True, int(words[1]), words[2], int(words[3]))
        return cls(False, None, lines[-1].removeprefix("stopped").strip() or "not running")


@dataclass(frozen=True)
class Hint:
    """The main process seen last (pid and start time, so a reused pid never matches): the
    scripts use it without asking the service manager while it lives. `gone`: it was killed or
    stopped by us and nothing started since, so its death alone means "not running"."""

    pid: int | None = None
    started: int | None = None
    gone: bool = False

    def shell(self) -> str:
        """The script's first line, setting H_PID, H_START and H_GONE."""
        if self.pid is None or self.started is None:
            return "H_PID= H_START= H_GONE=\n"
        return f"H_PID={self.pid} H_START={self.started} H_GONE={'1' if self.gone else ''}\n"


@dataclass(frozen=True)
class ServiceScripts:
    """The scripts for one service."""

    spec: ServiceSpec

    def _prelude(self, hint: Hint | None) -> str:
        finder = FINDERS[self.spec.finder].format(arg=_b64(getattr(self.spec, self.spec.finder)))
        also = " ".join(_b64(p) for p in self.spec.also)
        return (hint or Hint()).shell() + COMMON + MAIN.format(finder=finder, also=also)

    def status(self, hint: Hint | None = None) -> str:
        """Prints `running PID STATE START` or `stopped WHY`."""
        return self._prelude(hint) + STATUS

    def signal(self, sig: str, hint: Hint | None = None) -> str:
        """Sends `sig` to every process of the service; exit 3 when it is not running."""
        if sig not in SIGNALS:
            raise ValueError(f"signal {sig!r} is not one of {SIGNALS}")
        return self._prelude(hint) + SIGNAL.format(sig=sig)

    def _manager(self, verb: str) -> str:
        if self.spec.supervisor:
            return shlex.join(["supervisorctl", verb, self.spec.supervisor])
        assert self.spec.systemd is not None
        return shlex.join(["systemctl", verb, self.spec.systemd])

    def start(self) -> str:
        """The start command (the service manager's unless a command is given)."""
        return shlex.join(self.spec.start) if self.spec.start else self._manager("start")

    def stop(self) -> str:
        """The stop command (the service manager's unless a command is given)."""
        return shlex.join(self.spec.stop) if self.spec.stop else self._manager("stop")

    def logs(self, tail: int) -> str | None:
        """The command printing the last `tail` log lines; None when there is no log."""
        if self.spec.log:
            return shlex.join(["tail", "-n", str(tail), self.spec.log])
        if self.spec.supervisor:
            return shlex.join(["supervisorctl", "tail", f"-{tail * 200}", self.spec.supervisor])
        if self.spec.systemd:
            return shlex.join(["journalctl", "-u", self.spec.systemd, "-n", str(tail), "-q"])
        return None
