"""The local backend: bubblewrap sandboxes, each serving many programs one after another
(`sandbox.pool`), the harness inside forking once per test.

Isolation of a run (see docs/sandbox.md for the whole model, and for what makes a sandbox
safe to reuse: the harness never runs program code, and checks for leftovers after each
program):
- new user, PID, network, IPC, UTS, mount (and cgroup) namespaces; no nested user namespaces;
  all capabilities dropped; an empty environment;
- the root is an empty read-only tmpfs holding only `/usr` (and the interpreter's prefix when it
  lives elsewhere) bound read-only, a fresh /proc and a minimal /dev; the only writable places are
  a size-capped tmpfs on /tmp and a small one on /dev/shm;
- when the service runs as root, bwrap itself is started as an unprivileged uid (65534): the run's
  processes then belong to a non-root user outside the namespace, which is what makes
  RLIMIT_NPROC (fork bombs) enforceable; as root it would be ignored;
- CPU, address space, file size, process count and core dumps are bounded by rlimits set in each
  test's child; wall time by the harness (and by the host as a backstop); everything a test
  started is killed by the harness, which is PID 1 of the sandbox's PID namespace, before the
  next test, and everything at all dies with it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sandbox import cancel, cgroups, languages, pch, seccomp
from sandbox.pool import WarmPool
from sandbox.protocol import (
    HARNESS_PATH,
    HARNESS_SOURCE,
    ProtocolError,
    Reply,
    check_message,
    frame,
    judge,
    parse_header,
    program_message,
    test_message,
)
from sandbox.types import (
    Checker,
    CheckerError,
    Compare,
    Limits,
    Program,
    SandboxUnavailable,
    Test,
    TestResult,
    TestStatus,
    Verdict,
    VerdictStatus,
)

log = logging.getLogger("rewardkit.sandbox")

#: Unprivileged uid that runs bwrap (and so every sandboxed process) when the service is root.
SANDBOX_UID = 65534
#: Top-level host paths that may be symlinks into /usr (merged-/usr) or real directories.
_ROOT_LINKS = ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
#: Slack the host adds to the harness's own deadlines before it kills the whole sandbox.
_HOST_SLACK_S = 5.0


def pick_python(configured: str | None = None) -> str:
    """The interpreter programs run on: `configured`, else the service's own base interpreter
    when the sandbox uid can reach it, else the system's /usr/bin/python3."""
    if configured:
        return configured
    own = Path(os.path.realpath(sys.executable))
    if os.geteuid() != 0 or pch.reachable(str(own)):
        return str(own)
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(candidate, os.X_OK):
            return candidate
    return str(own)


class _Sandbox:
    """One running bwrap + harness, spoken to over its stdin/stdout pipes; `group` is its
    cgroup when runs are accounted that way (None: rlimits only)."""

    group: cgroups.RunGroup | None = None
    #: Programs this sandbox has served.
    programs = 0
    #: An `end` frame was sent and its reply (is the sandbox clean?) not read yet.
    pending_end = False
    killed = False

    def __init__(self, argv: list[str], run_as: int | None, pass_fds: tuple[int, ...] = ()) -> None:
        kwargs: dict[str, Any] = {"pass_fds": pass_fds}
        if run_as is not None:
            kwargs.update(user=run_as, group=run_as, extra_groups=[])
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                close_fds=True,
                env={},
                cwd="/",
                **kwargs,
            )
        except OSError as exc:
            raise SandboxUnavailable(f"cannot start bwrap: {exc}") from exc
        self._buf = b""

    def send(self, obj: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(frame(obj))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise ProtocolError(f"sandbox closed its input: {exc}") from exc

    def _fill(self, deadline: float) -> bool:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while True:
            cancel.check()  # a cancelled caller stops waiting (the run is killed)
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if select.select([fd], [], [], cancel.step(left))[0]:
                break
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise ProtocolError("sandbox ended")
        self._buf += chunk
        return True

    def recv(self, timeout_s: float) -> Reply | None:
        """The next reply, or None when none came within `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buf:
            if len(self._buf) > 1024:
                raise ProtocolError("reply header too long")
            if not self._fill(deadline):
                return None
        line, self._buf = self._buf.split(b"\n", 1)
        fields = parse_header(line)
        n_out, n_err = int(fields["out"]), int(fields["err"])
        while len(self._buf) < n_out + n_err:
            if not self._fill(deadline):
                return None
        out, err = self._buf[:n_out], self._buf[n_out : n_out + n_err]
        self._buf = self._buf[n_out + n_err :]
        return Reply(fields, out, err)

    def stderr(self) -> str:
        """What bwrap said (read once the process has ended)."""
        try:
            self.proc.wait(timeout=1)
            assert self.proc.stderr is not None
            return self.proc.stderr.read(4096).decode("utf-8", "replace").strip()
        except Exception:
            return ""

    def close(self) -> None:
        """End the run: EOF makes the harness (PID 1) exit, which kills everything inside."""
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
        for f in (self.proc.stdout, self.proc.stderr):
            if f:
                f.close()
        self.release_group()

    def kill(self) -> None:
        self.killed = True
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, 9)
        self.proc.wait()

    def alive(self) -> bool:
        return not self.killed and self.proc.poll() is None

    def join_group(self, group: cgroups.RunGroup) -> None:
        """Put bwrap and the harness into `group` before any program runs. The harness waits
        for its first frame, so it has no children yet; everything it forks later is born in
        the group. Both are shielded from the group's OOM killer: the program's processes are
        the ones to go when the run is over its memory."""
        group.add(self.proc.pid)
        deadline = time.monotonic() + 5.0
        inside = cgroups.descendants(self.proc.pid)
        while not inside:  # bwrap has not forked the sandbox yet
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise cgroups.CgroupError("the sandbox's harness did not appear")
            time.sleep(0.0005)
            inside = cgroups.descendants(self.proc.pid)
        for pid in inside:
            group.add(pid)
        for pid in (self.proc.pid, *inside):
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/oom_score_adj").write_text("-1000")
        self.group = group

    def release_group(self) -> None:
        if self.group is not None:
            self.group.remove()
            self.group = None


class LocalBackend:
    """Runs programs in bubblewrap sandboxes on this machine.

    With a pool (`pool_size` > 0, default: the CPU count, 2 to 8) sandboxes are started ahead
    of time and each serves up to `reuse` programs one after another: the harness forks every
    program's tests from its pristine interpreter, and after each program it kills what is
    left, empties /tmp and /dev/shm and checks the sandbox for anything else a program could
    leave (processes, SysV IPC, sockets, keys, changes to the harness); any doubt, a host-side
    kill or an error retires the sandbox. `pool_size=0`: a fresh sandbox per run, no pool.
    """

    name = "local"

    def __init__(
        self,
        *,
        python: str | None = None,
        bwrap: str | None = None,
        tmpfs_mb: int = 256,
        shm_mb: int = 16,
        pool_size: int | None = None,
        reuse: int = 256,
        cgroup_mode: str = "auto",
        worldcheck: bool = True,
        seccomp_filter: bool = True,
    ) -> None:
        self.python = pick_python(python)
        self.bwrap = bwrap or shutil.which("bwrap") or "bwrap"
        self.tmpfs_mb = tmpfs_mb
        self.shm_mb = shm_mb
        self.run_as = SANDBOX_UID if os.geteuid() == 0 else None
        self._health: dict[str, Any] | None = None
        self._health_lock = threading.Lock()
        self._pyc_dir: str | None = None
        self._pyc_lock = threading.Lock()
        self._toolchains: dict[str, languages.Toolchain] | None = None
        self._binds: list[tuple[str, str]] = []
        self._toolchain_lock = threading.Lock()
        self._cgroup_mode = cgroup_mode
        self._hierarchy: cgroups.Hierarchy | None = None
        self._accounting: str | None = None
        self._cgroup_lock = threading.Lock()
        if reuse < 1:
            raise ValueError("reuse must be >= 1 (programs per sandbox)")
        self.reuse = reuse
        #: The system calls every sandboxed process is refused (None: no filter here).
        self._seccomp = seccomp.program() if seccomp_filter else None
        #: Build sandbox/worldcheck.c for the harness (False: the entry-by-entry comparison).
        self.worldcheck = worldcheck
        self._worldcheck_built = False
        size = default_pool_size() if pool_size is None else pool_size
        self._pool: WarmPool[_Sandbox] | None = None
        if size > 0:
            # Up to `size` under load; idle for two minutes, down to half of it.
            self._pool = WarmPool(
                self._spawn, _Sandbox.close, _Sandbox.alive, size=size, warm=max(1, size // 2)
            )

    # --- the command line ---------------------------------------------------------------------

    def argv(
        self, command: Sequence[str] | None = None, seccomp_fd: int | None = None
    ) -> list[str]:
        """The bwrap command line of one sandbox (running the harness unless `command`;
        with the seccomp filter read from `seccomp_fd`, see `sandbox.seccomp`)."""
        args = [self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns"]
        if seccomp_fd is not None:
            args += ["--seccomp", str(seccomp_fd)]
        args += ["--die-with-parent", "--new-session", "--cap-drop", "ALL"]
        args += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "sandbox"]
        args += ["--ro-bind", "/usr", "/usr"]
        for top in _ROOT_LINKS:
            if os.path.islink(top):
                args += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                args += ["--ro-bind", top, top]
        prefix = str(Path(self.python).resolve().parent.parent)
        if not prefix.startswith("/usr/") and prefix != "/usr":
            args += ["--ro-bind", prefix, prefix]
        self.languages()  # finds the toolchains (and their binds) once
        for host, inside in self._binds:
            args += ["--ro-bind", host, inside]
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += ["--size", str(self.shm_mb << 20), "--tmpfs", "/dev/shm"]
        args += ["--size", str(self.tmpfs_mb << 20), "--tmpfs", "/tmp"]
        if command is None:
            pyc_dir = self._harness_pyc()
            if pyc_dir is None:
                command = [self.python, "-I", "-S", "-c", HARNESS_SOURCE]
            else:
                args += ["--ro-bind", pyc_dir, "/rk"]
                command = [self.python, "-I", "-S", "-c", _BOOT]
        args += ["--remount-ro", "/dev", "--remount-ro", "/"]
        args += ["--clearenv", "--as-pid-1", "--chdir", "/tmp"]
        return [*args, "--", *command]

    def languages(self) -> dict[str, languages.Toolchain]:
        """The toolchain of every known language as this backend's sandboxes see it (found on
        the host once; a missing one says what is missing)."""
        with self._toolchain_lock:
            if self._toolchains is None:
                self._toolchains, self._binds = _sandbox_toolchains(self.run_as)
            return self._toolchains

    def _harness_pyc(self) -> str | None:
        """A directory holding the harness compiled by the sandbox's interpreter (compiling
        its source on every start would cost ~10 ms a run); None if that cannot be made."""
        with self._pyc_lock:
            if self._pyc_dir is None:
                self._pyc_dir = _compile_harness(self.python, self.run_as) or ""
                if self._pyc_dir and self.worldcheck:
                    self._worldcheck_built = _build_worldcheck(self._pyc_dir)
            return self._pyc_dir or None

    # --- pool ---------------------------------------------------------------------------------

    def accounting(self) -> str:
        """Which accounting is in force: the cgroup hierarchy in use, or why rlimits only."""
        self._cgroup_hierarchy()
        return self._accounting or ""

    def _cgroup_hierarchy(self) -> cgroups.Hierarchy | None:
        with self._cgroup_lock:
            if self._accounting is None:
                if os.geteuid() != 0 and self._cgroup_mode == "auto":
                    self._hierarchy, why = None, "not root: cannot create cgroups"
                else:
                    self._hierarchy, why = cgroups.detect(mode=self._cgroup_mode)
                if self._hierarchy is None:
                    self._accounting = f"rlimits per process ({why})"
                    log.warning("sandbox memory is counted per process: %s", why)
                else:
                    self._accounting = f"{why}: memory and processes per run"
                    cgroups.sweep(self._hierarchy)
                    atexit.register(cgroups.release, self._hierarchy, os.getpid())
            return self._hierarchy

    def _new_sandbox(self) -> _Sandbox:
        """Start bwrap + harness, with the seccomp filter when this machine has one."""
        if self._seccomp is None:
            return _Sandbox(self.argv(), self.run_as)
        fd = os.memfd_create("rewardkit-seccomp", os.MFD_CLOEXEC)
        try:
            os.write(fd, self._seccomp)
            os.lseek(fd, 0, os.SEEK_SET)
            return _Sandbox(self.argv(seccomp_fd=fd), self.run_as, pass_fds=(fd,))
        finally:
            os.close(fd)

    def _spawn(self) -> _Sandbox:
        box = self._new_sandbox()
        hierarchy = self._cgroup_hierarchy()
        if hierarchy is not None:
            group = None
            try:
                group = cgroups.RunGroup(hierarchy)
                box.join_group(group)
            except (OSError, cgroups.CgroupError) as exc:
                # This sandbox runs on rlimits alone (the program message says so).
                log.error("sandbox not placed in a cgroup (rlimits only for this run): %s", exc)
                if group is not None and box.group is None:
                    box.kill()
                    group.remove()
                    box = self._new_sandbox()
        return box

    def _take(self) -> _Sandbox:
        """A warm sandbox whose previous program (if any) left nothing behind."""
        assert self._pool is not None
        while True:
            box = self._pool.take()
            if not box.pending_end:
                return box
            box.pending_end = False
            try:
                reply = box.recv(_HOST_SLACK_S)
            except ProtocolError:
                reply = None
            except BaseException:  # cancelled while reading: the sandbox goes
                self._pool.discard(box, "cancelled")
                raise
            if reply is not None and reply.fields.get("op") == "end":
                if reply.fields.get("clean") == "1":
                    return box
                why = reply.fields.get("why", "?")
                log.info("sandbox retired: a program left something behind (%s)", why)
                self._pool.discard(box, f"leftover_{why}")
            else:
                self._pool.discard(box, "no_answer")

    def _release(self, box: _Sandbox, ok: bool) -> None:
        """After a run: back to the pool (after the `end` frame that makes the harness clean
        up and check), or retired."""
        assert self._pool is not None
        box.programs += 1
        if not ok or box.killed or not box.alive():
            self._pool.retire(box, "killed" if box.killed else "error")
            return
        if box.programs >= self.reuse:
            self._pool.retire(box, "limit")
            return
        try:
            box.send({"op": "end"})
        except ProtocolError:
            self._pool.retire(box, "error")
            return
        box.pending_end = True
        self._pool.give_back(box)

    def stats(self) -> dict[str, Any]:
        """Sandboxes `warm` (idle), `busy`, `starting`, and since the start `programs`
        served, `spawned` and `recycled` (by reason)."""
        if self._pool is None:
            return {"warm": 0, "busy": 0, "starting": 0, "size": 0, "programs": 0}
        return self._pool.stats()

    def close(self) -> None:
        """Stop the pool and end its waiting sandboxes (runs after this get a sandbox of
        their own each)."""
        if self._pool is not None:
            self._pool.close()

    # --- running ------------------------------------------------------------------------------

    def run(
        self,
        program: Program,
        tests: Sequence[Test],
        limits: Limits,
        compare: Compare,
        stop_on_failure: bool = False,
        checker: Checker | None = None,
    ) -> Verdict:
        """Compile `program` once, run the tests in one sandbox, judge on the host. With
        `stop_on_failure` the first test that does not pass ends the run (the rest are
        `skipped`); so does the end of `limits.total_timeout_s`. With a `checker`, it judges
        each stdio test's output in the same sandbox (see `sandbox.checkers`)."""
        cancel.check()
        if self._pool is None or self._pool.closed:
            # No pool (or no longer: `close` was called): a sandbox of its own for the run.
            box = self._spawn()
            try:
                return self._run(box, program, tests, limits, compare, stop_on_failure, checker)
            except cancel.Cancelled:
                box.kill()  # the run's whole process tree goes with it
                raise
            finally:
                box.close()
        box = self._take()
        ok = False
        try:
            verdict = self._run(box, program, tests, limits, compare, stop_on_failure, checker)
            ok = True
            return verdict
        except cancel.Cancelled:
            box.kill()
            raise
        finally:
            self._release(box, ok)

    def _run(
        self,
        box: _Sandbox,
        program: Program,
        tests: Sequence[Test],
        limits: Limits,
        compare: Compare,
        stop_on_failure: bool,
        checker: Checker | None,
    ) -> Verdict:
        deadline = time.monotonic() + limits.total_timeout_s
        group = box.group
        used = {program.language} | ({checker.language} if checker else set())
        compiles = used != {"python"}
        pipelined = program.language == "python" and checker is None and bool(tests)
        first_timeout, first_ooms = limits.timeout_s, 0
        # The runtimes' own threads (a JVM's, node's) count in the run's pids too.
        extra = max(languages.get(n).extra_processes for n in used)
        pids = max(16, limits.max_processes) + extra
        try:
            if group is not None:
                if compiles:  # the compilers get their own allowance, as their rlimits do
                    compile_mb = max(languages.get(n).compile_memory_mb for n in used)
                    group.limit(max(compile_mb, limits.memory_mb), max(64, pids) + 1)
                else:
                    group.limit(limits.memory_mb, pids)
            message = program_message(program, limits, group is not None, self.languages(), checker)
            box.send(message)
            if pipelined:
                # A Python program builds in no time: its first test goes with it, saving a
                # round trip (after a compile error the harness drops it unread).
                first_ooms = group.oom_kills() if group is not None else 0
                first_timeout = min(limits.timeout_s, deadline - time.monotonic())
                short = first_timeout if first_timeout < limits.timeout_s else None
                box.send(test_message(tests[0], short))
            # A compile (the checker's, then the program's) may take both compile allowances.
            wait = min(limits.compile_timeout_s * (2 if checker else 1), limits.total_timeout_s)
            ready = box.recv(wait + _HOST_SLACK_S)
        except ProtocolError:
            ready = None
        except cgroups.CgroupError as exc:
            raise SandboxUnavailable(f"cannot limit the run's cgroup: {exc}") from exc
        if ready is None:
            if box.proc.poll() is None:  # alive but silent: a compile that ignored its deadline
                box.kill()
                return Verdict.compile_error("compile timed out", len(tests))
            why = box.stderr() or f"exit status {box.proc.returncode}"
            raise SandboxUnavailable(f"sandbox failed to start: {why}")
        if ready.fields.get("status") == "checker_error":
            why = ready.err.decode("utf-8", "replace")[-2000:] or "compile error"
            raise CheckerError(f"checker does not compile: {why}")
        if ready.fields.get("status") != "ok":
            why = ready.err.decode("utf-8", "replace")[-2000:]
            return Verdict.compile_error(why or "compile error", len(tests))
        if group is not None and compiles:
            try:
                group.limit(limits.memory_mb, pids)
            except cgroups.CgroupError as exc:
                box.kill()
                raise SandboxUnavailable(f"cannot limit the run's cgroup: {exc}") from exc
        results: list[TestResult] = []
        after: int | None = None  # the run's OOM kills after the previous test
        for i, test in enumerate(tests):
            if i == 0 and pipelined:  # already sent: its reply must be read whatever the time
                timeout, ooms = first_timeout, first_ooms
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    why = f"not run: the item's {limits.total_timeout_s:g} s total time is spent"
                    results += [TestResult(TestStatus.SKIPPED, 0.0, why) for _ in tests[i:]]
                    break
                timeout = min(limits.timeout_s, left)
                ooms = after if after is not None else group.oom_kills() if group else 0
            try:
                if not (i == 0 and pipelined):
                    box.send(test_message(test, timeout if timeout < limits.timeout_s else None))
                reply = box.recv(max(0.0, timeout) + _HOST_SLACK_S)
            except ProtocolError as exc:
                log.warning("sandbox ended during test %d: %s %s", i, exc, box.stderr())
                reply = None
            if reply is None:
                # The harness missed its own deadline or vanished: the run is over.
                if box.proc.poll() is None:
                    box.kill()
                    status, why = TestStatus.TIMEOUT, "time limit exceeded (host)"
                elif group is not None and group.oom_kills() > ooms:
                    status, why = TestStatus.MEMORY_LIMIT, "memory limit exceeded"
                else:
                    status, why = TestStatus.FAILED, "sandbox ended unexpectedly"
                results.append(TestResult(status, 0.0, why))
                results += [TestResult(TestStatus.SKIPPED, 0.0, why) for _ in tests[i + 1 :]]
                break
            if "harness_error" in reply.fields:
                box.kill()
                raise SandboxUnavailable(
                    f"sandbox harness failed ({reply.fields['harness_error']}): {box.stderr()}"
                )
            # Nothing runs between two tests: this count is the next test's starting point.
            after = group.oom_kills() if group is not None else 0
            oom = group is not None and after > ooms
            check = self._check(box, test, limits) if checker is not None else None
            if checker is not None:
                after = None  # the checker ran in the group since: count afresh
            result = judge(test, reply, compare, program.language, oom, checker, check)
            results.append(result)
            if stop_on_failure and result.status is not TestStatus.PASSED:
                why = "not run: an earlier test failed (partial: false)"
                results += [TestResult(TestStatus.SKIPPED, 0.0, why) for _ in tests[i + 1 :]]
                break
        return Verdict(VerdictStatus.OK, results)

    def _check(self, box: _Sandbox, test: Test, limits: Limits) -> Reply:
        """Send the expected answer (the program's processes are dead by now: its reply came)
        and wait for the checker's reply."""
        try:
            box.send(check_message(test))
            reply = box.recv(max(5.0, limits.timeout_s) + _HOST_SLACK_S)
        except ProtocolError as exc:
            raise CheckerError(f"checker ended the sandbox: {exc}") from exc
        if reply is None:
            box.kill()
            raise CheckerError("checker timed out (host)")
        return reply

    # --- health -------------------------------------------------------------------------------

    def health(self, refresh: bool = False) -> dict[str, Any]:
        """Whether a sandbox starts here: one probe, cached (a failed probe is retried after
        30 s). Spawns one bwrap the first time, never per call."""
        with self._health_lock:
            h = self._health
            stale = h is not None and not h["ok"] and time.monotonic() - h["_at"] > 30
            if h is None or refresh or stale:
                h = self._health = {**self._probe(), "_at": time.monotonic()}
        return {k: v for k, v in h.items() if not k.startswith("_")}

    def _probe(self) -> dict[str, Any]:
        info: dict[str, Any] = {"backend": self.name, "bwrap": self.bwrap, "python": self.python}
        info["accounting"] = self.accounting()
        uid = self.run_as if self.run_as is not None else os.geteuid()
        per_process = "" if self._hierarchy is not None else ", AS"
        self._harness_pyc()
        info["seccomp"] = (
            "keyrings, io_uring, userfaultfd, perf_event_open and bpf refused"
            if self._seccomp is not None
            else "none"
        )
        info["world_check"] = (
            "version tags (sandbox/worldcheck.c)" if self._worldcheck_built else "entry by entry"
        )
        info["limits"] = (
            f"rlimits soft = hard (CPU, FSIZE, NPROC as uid {uid}, NOFILE{per_process})"
        )
        info.update(languages.report(self.languages()))
        if shutil.which(self.bwrap) is None:
            return {**info, "ok": False, "error": f"bwrap not found ({self.bwrap})"}
        try:
            verdict = self.run(
                Program("python", "print(6 * 7)"),
                [Test(input="", output="42")],
                Limits(timeout_s=10),
                Compare(),
            )
        except SandboxUnavailable as exc:
            return {**info, "ok": False, "error": str(exc)}
        ok = verdict.status is VerdictStatus.OK and verdict.passed == 1
        if not ok:
            return {**info, "ok": False, "error": f"probe program failed: {verdict}"[:500]}
        return {**info, "ok": True}


def default_pool_size() -> int:
    """Warm sandboxes by default: two per CPU (at least 2, at most the scorer's 32 sandbox
    threads): runs are CPU-bound, and a second sandbox per core hides the host's share of
    each run (and the hand-over between runs) behind another's program."""
    return max(2, min(32, 2 * (os.cpu_count() or 1)))


def _sandbox_toolchains(
    run_as: int | None,
) -> tuple[dict[str, languages.Toolchain], list[tuple[str, str]]]:
    """Every language's host toolchain and the read-only binds (host path, sandbox path) that
    make it visible inside: each toolchain directory outside /usr where its language says. A directory
    the sandbox uid cannot reach (a rustup toolchain under /root) is seen through a mirror of
    hard links in a world-readable place; when even that fails, the language is missing."""
    found: dict[str, languages.Toolchain] = {}
    binds: list[tuple[str, str]] = []
    for name, tc in languages.available().items():
        if not tc.ok:
            found[name] = tc
            continue
        mine: list[tuple[str, str]] = []
        for home, inside in tc.homes:
            if run_as is None or pch.reachable(home):
                mine.append((home, inside))
                continue
            mirror = _mirror(home)
            if mirror is None:
                mine = []
                tc = languages.Toolchain(False, missing=f"{name} toolchain {home} (unreachable)")
                break
            mine.append((mirror, inside))
        found[name] = tc
        binds += [b for b in mine if b not in binds]
    return found, binds


_mirrors: dict[str, str | None] = {}


def _mirror(src: str) -> str | None:
    """A world-readable copy of the directory tree `src` made of hard links (no data copied:
    it must be on the same filesystem), removed at exit. None when it cannot be made."""
    if src in _mirrors:
        return _mirrors[src]
    out: str | None = None
    try:
        base = tempfile.mkdtemp(prefix="rewardkit-toolchain-")
        os.chmod(base, 0o755)
        atexit.register(shutil.rmtree, base, True)
        root = os.path.join(base, "t")
        for dirpath, dirnames, filenames in os.walk(src):
            rel = os.path.relpath(dirpath, src)
            target = os.path.normpath(os.path.join(root, rel))
            os.makedirs(target, mode=0o755, exist_ok=True)
            for name in filenames + [d for d in dirnames if os.path.islink(f"{dirpath}/{d}")]:
                path = os.path.join(dirpath, name)
                if os.path.islink(path):
                    os.symlink(os.readlink(path), os.path.join(target, name))
                else:
                    os.link(path, os.path.join(target, name))
        out = root
    except OSError as exc:
        log.warning("cannot mirror toolchain %s for the sandbox: %s", src, exc)
    _mirrors[src] = out
    return out


#: What the sandbox's interpreter runs when the compiled harness is bound at /rk.
_BOOT = "import sys; sys.path.insert(0, '/rk'); import harness; harness.entry()"


def _compile_harness(python: str, run_as: int | None) -> str | None:
    """Compile harness.py with `python` into a fresh world-readable directory as a sourceless
    `harness.pyc` (unchecked hash: nothing is stat'ed at import). None on any failure."""
    try:
        out = tempfile.mkdtemp(prefix="rewardkit-harness-")
        os.chmod(out, 0o755)
        script = (
            "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], "
            "doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)"
        )
        target = os.path.join(out, "harness.pyc")
        subprocess.run(
            [python, "-I", "-S", "-c", script, str(HARNESS_PATH), target],
            check=True,
            capture_output=True,
            timeout=60,
        )
        os.chmod(target, 0o644)
        atexit.register(shutil.rmtree, out, True)
        return out
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot precompile the sandbox harness (falling back to source): %s", exc)
        return None


#: The harness's world check in C (see the file): next to harness.pyc as rkworld.so.
WORLDCHECK_SOURCE = Path(__file__).with_name("worldcheck.c")


def _build_worldcheck(out: str) -> bool:
    """Build sandbox/worldcheck.c into `out` with the host's C compiler. Without it (no
    compiler, a failed build) the harness compares the tests' world entry by entry: the same
    answer, about a millisecond slower per Python function test."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        log.info("no C compiler: the tests' world is checked entry by entry")
        return False
    target = os.path.join(out, "rkworld.so")
    try:
        subprocess.run(
            [cc, "-O2", "-shared", "-fPIC", "-o", target, str(WORLDCHECK_SOURCE)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        os.chmod(target, 0o644)
        return True
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot build the world check (entry-by-entry comparison instead): %s", exc)
        return False
