"""Memory and process accounting for a whole run, with cgroups (v2 or v1).

An rlimit counts one process: eight forked children of 400 MB each all fit under a 512 MB
`RLIMIT_AS`. A cgroup counts the run: every process of one sandbox shares one memory and one
pids budget, and the kernel kills inside the group when it is over (the host reads the group's
OOM-kill counter to call that `memory_limit`).

`detect()` picks what this host has, once:
- **v2** (most current hosts, Kubernetes nodes): a delegated subtree of the unified hierarchy
  with the `memory` and `pids` controllers. Groups go under the service's own cgroup; when that
  cgroup holds processes (the "no internal processes" rule forbids enabling controllers for
  its children), the service's processes move into a leaf `service` child first.
- **v1** (this machine): the `memory` and `pids` hierarchies, each with a group per run under
  the service's own group in that hierarchy.
- neither (not root, read-only cgroupfs, controllers missing): None, and the sandbox falls back
  to per-process rlimits; `health()` says which accounting is in force and why.

Each sandbox gets its own `RunGroup`; the host places the sandbox's processes in it before the
program arrives, sets the limits for the compile and then for the tests, and removes the group
when the sandbox ends.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("rewardkit.sandbox")

#: Memory the run's own machinery takes inside its group beyond the program's `memory_mb`: the
#: harness interpreter (~9 MB), its copy of a compiled binary, captured output in the tmpfs.
OVERHEAD_MB = 64
#: Processes of the run's machinery counted by pids.max beyond `max_processes`: bwrap, the
#: harness.
OVERHEAD_PIDS = 2

_counter = itertools.count()


class CgroupError(OSError):
    """A cgroup could not be created, filled or limited."""


def _write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError as exc:
        raise CgroupError(f"cannot write {value!r} to {path}: {exc}") from exc


def _read_counter(path: Path | str, key: str) -> int:
    """`key N` from a flat keyed file (memory.events, memory.oom_control); 0 when absent.
    (Read with os calls: it is read after every test.)"""
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            data = os.read(fd, 4096)
        finally:
            os.close(fd)
        prefix = key.encode() + b" "
        for line in data.split(b"\n"):
            if line.startswith(prefix):
                return int(line[len(prefix) :])
    except (OSError, ValueError):
        pass
    return 0


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """Where this service makes its run groups: one base directory (v2) or one per controller
    (v1: memory, pids)."""

    version: int
    memory_base: Path
    pids_base: Path

    def describe(self) -> str:
        if self.version == 2:
            return f"cgroup v2 ({self.memory_base})"
        return f"cgroup v1 (memory {self.memory_base}, pids {self.pids_base})"


class RunGroup:
    """The cgroup(s) of one sandbox."""

    def __init__(self, hierarchy: Hierarchy) -> None:
        self.h = hierarchy
        name = f"run-{os.getpid()}-{next(_counter)}"
        self.memory = hierarchy.memory_base / name
        self.pids = hierarchy.pids_base / name if hierarchy.version == 1 else self.memory
        self._dirs = [self.memory] if self.pids == self.memory else [self.memory, self.pids]
        for d in self._dirs:
            try:
                d.parent.mkdir(exist_ok=True)  # the base, should anything have removed it
                d.mkdir()
            except OSError as exc:
                self.remove()
                raise CgroupError(f"cannot create {d}: {exc}") from exc
        if hierarchy.version == 2:
            # No swap: a run over its memory is killed, not slowed to a crawl on disk.
            with contextlib.suppress(CgroupError):
                _write(self.memory / "memory.swap.max", "0")

    def add(self, pid: int) -> None:
        """Move process `pid` (not its existing children) into the group(s)."""
        for d in self._dirs:
            _write(d / "cgroup.procs", str(pid))

    def limit(self, memory_mb: int, processes: int) -> None:
        """The run's memory (plus the machinery's overhead) and process budget."""
        mem = str((int(memory_mb) + OVERHEAD_MB) << 20)
        pids = str(int(processes) + OVERHEAD_PIDS)
        if getattr(self, "_limits", None) == (mem, pids):
            return  # a warm sandbox's next run with the same limits: nothing to write
        self._limits: tuple[str, str] | None = None
        if self.h.version == 2:
            _write(self.memory / "memory.max", mem)
        else:
            _write(self.memory / "memory.limit_in_bytes", mem)
        _write(self.pids / "pids.max", pids)
        self._limits = (mem, pids)

    def oom_kills(self) -> int:
        """How many processes the kernel has killed in this group for memory so far."""
        path = getattr(self, "_oom_file", None)
        if path is None:
            name = "memory.events" if self.h.version == 2 else "memory.oom_control"
            path = self._oom_file = str(self.memory / name)
        return _read_counter(path, "oom_kill")

    def remove(self) -> None:
        """Delete the group(s). The sandbox has ended, but its last processes may still be on
        their way out (killed, or zombies waiting for the host's init to reap them): what is
        left is killed, and a group still busy is removed later by a background janitor."""
        for d in self._dirs:
            if not _remove_group(d, attempts=5):
                _janitor.defer(d)


def _remove_group(d: Path, attempts: int = 40) -> bool:
    """rmdir a run group, killing its stragglers first; False if it is still there."""
    for attempt in range(attempts):
        try:
            d.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError:
            try:
                for pid in (d / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        os.kill(int(pid), 9)
            except OSError:
                pass
            time.sleep(0.002 * (attempt + 1))
    return False


class _Janitor:
    """Removes busy run groups once their last process is reaped (a thread, started on the
    first deferred group; it gives a group up after `patience_s`, with a warning)."""

    def __init__(self, patience_s: float = 120.0) -> None:
        self.patience_s = patience_s
        self._pending: dict[Path, float] = {}
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None

    def defer(self, d: Path) -> None:
        with self._cv:
            self._pending.setdefault(d, time.monotonic() + self.patience_s)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="cgroup-janitor", daemon=True
                )
                self._thread.start()
            self._cv.notify()

    def pending(self) -> list[Path]:
        with self._cv:
            return list(self._pending)

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._pending:
                    self._cv.wait()
                todo = list(self._pending.items())
            for d, give_up_at in todo:
                if _remove_group(d, attempts=1) or time.monotonic() > give_up_at:
                    if d.exists():
                        log.warning("cgroup %s still busy after %.0f s; left", d, self.patience_s)
                    with self._cv:
                        self._pending.pop(d, None)
            time.sleep(0.2)


_janitor = _Janitor()


def sweep(h: Hierarchy) -> None:
    """Remove what earlier services left: run groups of this base that are empty, and the
    base groups (`rewardkit-PID`) of services whose process is gone."""
    for base in {h.memory_base, h.pids_base}:
        parent = base.parent
        try:
            siblings = [p for p in parent.iterdir() if p.name.startswith("rewardkit-")]
        except OSError:
            continue
        for other in siblings:
            pid = other.name.split("-")[1]
            if other == base or not pid.isdigit() or Path(f"/proc/{pid}").exists():
                continue
            with contextlib.suppress(OSError):
                for run in other.iterdir():
                    if run.is_dir():
                        _remove_group(run, attempts=5)
                other.rmdir()


def _own_path(controller: str | None, proc_cgroup: str) -> str | None:
    """Our cgroup's path in the v1 hierarchy of `controller`, or in v2 (`controller` None)."""
    for line in proc_cgroup.splitlines():
        _, controllers, path = line.split(":", 2)
        if controller is None and controllers == "":
            return path
        if controller is not None and controller in controllers.split(","):
            return path
    return None


def _mounts(mountinfo: str) -> dict[str, list[tuple[Path, set[str]]]]:
    """cgroup mount points by version ("1", "2") with their super options (v1 controllers)."""
    out: dict[str, list[tuple[Path, set[str]]]] = {"1": [], "2": []}
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) < 5 or len(rfields) < 3:
            continue
        fstype, mount_point = rfields[0], Path(fields[4])
        if fstype == "cgroup2":
            out["2"].append((mount_point, set()))
        elif fstype == "cgroup":
            out["1"].append((mount_point, set(rfields[2].split(","))))
    return out


def base_name() -> str:
    """This backend's own base group: one per backend instance (a process may hold several),
    named for the process so that `sweep` can tell a dead service's groups."""
    return f"rewardkit-{os.getpid()}-{next(_counter)}"


def _prepare_v2(base: Path) -> Path:
    """Make a base group under `base` whose children get memory and pids; returns it."""
    controllers = set((base / "cgroup.controllers").read_text().split())
    missing = {"memory", "pids"} - controllers
    if missing:
        raise CgroupError(f"{base} lacks the {', '.join(sorted(missing))} controller(s)")
    ours = base / base_name()
    ours.mkdir(exist_ok=True)
    try:
        _write(base / "cgroup.subtree_control", "+memory +pids")
    except CgroupError:
        # "No internal processes": our cgroup holds processes, so its children cannot get
        # controllers. Move them into a leaf of their own (what a delegated container does).
        leaf = base / "service"
        leaf.mkdir(exist_ok=True)
        for pid in (base / "cgroup.procs").read_text().split():
            with contextlib.suppress(CgroupError):
                _write(leaf / "cgroup.procs", pid)
        _write(base / "cgroup.subtree_control", "+memory +pids")
    _write(ours / "cgroup.subtree_control", "+memory +pids")
    return ours


def detect(root: Path = Path("/"), mode: str = "auto") -> tuple[Hierarchy | None, str]:
    """The cgroup hierarchy to account runs in, and a sentence saying what was found.

    `mode`: "auto" (v2 when it has the controllers, else v1), "v2", "v1" or "off". `root`
    lets tests point at a fake /proc and /sys."""
    if mode == "off":
        return None, "cgroups off by configuration"
    try:
        mountinfo = (root / "proc/self/mountinfo").read_text()
        proc_cgroup = (root / "proc/self/cgroup").read_text()
    except OSError as exc:
        return None, f"cannot read /proc: {exc}"
    mounts = _mounts(mountinfo)
    reasons: list[str] = []
    if mode in ("auto", "v2"):
        own = _own_path(None, proc_cgroup)
        for mount_point, _ in mounts["2"]:
            if own is None:
                break
            base = root / str(mount_point).lstrip("/") / own.lstrip("/")
            try:
                ours = _prepare_v2(base)
                return Hierarchy(2, ours, ours), f"cgroup v2 at {ours}"
            except (OSError, ValueError) as exc:
                reasons.append(f"v2: {exc}")
    if mode in ("auto", "v1"):
        bases: dict[str, Path] = {}
        name = base_name()
        for controller in ("memory", "pids"):
            own = _own_path(controller, proc_cgroup)
            mount = next((m for m, opts in mounts["1"] if controller in opts), None)
            if own is None or mount is None:
                reasons.append(f"v1: no {controller} hierarchy")
                break
            base = root / str(mount).lstrip("/") / own.lstrip("/") / name
            try:
                base.mkdir(exist_ok=True)
                bases[controller] = base
            except OSError as exc:
                reasons.append(f"v1: cannot create {base}: {exc}")
                break
        if len(bases) == 2:
            h = Hierarchy(1, bases["memory"], bases["pids"])
            return h, h.describe()
    return None, "; ".join(reasons) or "no cgroup hierarchy mounted"


def release(h: Hierarchy, owner: int) -> None:
    """Remove the service's own base group(s) and any run group left in them (at exit). Only
    in the process `owner` that made them: a forked child (a checker pool's worker) inherits
    the exit handler, not the groups."""
    if os.getpid() != owner:
        return
    for d in {h.memory_base, h.pids_base}:
        with contextlib.suppress(OSError):
            for run in d.iterdir():
                if run.is_dir():
                    _remove_group(run, attempts=5)
            d.rmdir()


def descendants(pid: int) -> list[int]:
    """Every descendant of `pid` (from /proc/PID/task/*/children), parents first."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                kids = Path(f"/proc/{p}/task/{t}/children").read_text().split()
            except OSError:
                continue
            for k in kids:
                out.append(int(k))
                todo.append(int(k))
    return out
