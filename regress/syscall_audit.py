#!/usr/bin/env python3
"""The syscall audit of e2e 155: what timed's processes called, from
`strace -ff -o PREFIX` files, against the allow-lists compiled into timed
(regress/sandbox_list's PFC output).

  syscall_audit.py ENGINE.pfc MONITOR.pfc MONITOR-PID TRACEFILE...

Each trace file is one process.  The monitor's own calls count from its
seccomp(SECCOMP_SET_MODE_FILTER) on: before, it is starting up,
unfiltered.  A process it forks runs under its filter, and so does an
engine (execve with -P engine) until it loads its own filter: the
monitor's list must hold those calls.  From then on an engine runs under
both filters: its calls must be on both lists.  Prints each violation as
"NOT ALLOWED", each call on a list never seen as "unused", and exits 1 on
a violation.
"""
import re
import sys

CALL = re.compile(r'^([a-z_][a-z0-9_]*)\(')
FILTER = re.compile(r'^seccomp\(SECCOMP_SET_MODE_FILTER.*\) = 0')
EXEC = re.compile(r'^execve\(.*"-P", "engine".*\) = 0')
PFC = re.compile(r'# filter for syscall "([a-z0-9_]+)"')


def allowed(path):
    with open(path) as f:
        return set(PFC.findall(f.read()))


def audit(path, is_monitor):
    """(phase, call) pairs: phase monitor, engine-early, engine, start."""
    phase = "start" if is_monitor else "monitor"
    seen = set()
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("+++ killed by SIGSYS"):
                seen.add((phase, "SIGSYS"))
            m = CALL.match(line)
            if not m:
                continue
            if phase != "start":
                seen.add((phase, m.group(1)))
            if FILTER.match(line):
                phase = "engine" if phase == "engine-early" else "monitor"
            elif EXEC.match(line):
                phase = "engine-early"
    return seen


def main():
    lists = {"engine": allowed(sys.argv[1]), "monitor": allowed(sys.argv[2])}
    # the lists a call of each phase goes through
    filters = {"monitor": ["monitor"], "engine-early": ["monitor"],
               "engine": ["engine", "monitor"]}
    mpid = sys.argv[3]
    used = {"engine": set(), "monitor": set()}
    by_phase = {p: set() for p in filters}
    bad = set()
    for path in sys.argv[4:]:
        for phase, call in audit(path, path.endswith("." + mpid)):
            by_phase[phase].add(call)
            for name in filters[phase]:
                if call in lists[name]:
                    used[name].add(call)
                else:
                    bad.add("%s calls %s, not on the %s's list" %
                            (phase, call, name))
    for b in sorted(bad):
        print("NOT ALLOWED:", b)
    for name in ("engine", "monitor"):
        unused = sorted(lists[name] - used[name])
        print("%s: %d of %d allowed calls seen; never seen: %s" %
              (name, len(used[name]), len(lists[name]),
               " ".join(unused) or "-"))
    for phase in filters:
        print("seen in phase %s: %s" % (phase, " ".join(sorted(by_phase[phase]))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
