# ruff: noqa: SIM105, SIM115, UP031
# (no contextlib: every import costs start-up time in each sandbox)
"""The harness that runs INSIDE the sandbox, as PID 1 of its own PID namespace.

Standalone: it imports only modules built into CPython (no json, no signal, no ctypes wrapper:
each costs milliseconds on every sandbox start), and runs on Python >= 3.8.

Protocol, on fds 0 (in) and 1 (out):
- host -> harness: frames `<decimal length>\\n<marshal bytes>`; the first is the program
  `{"language", "source", "limits"}`, then one `{"input", "code"}` per test. EOF ends the run.
- harness -> host: frames `<header line>\\n<stdout bytes><stderr bytes>`; the header is ASCII
  `key=value` pairs with the two lengths. The host parses it without unmarshalling anything the
  sandbox wrote.

Why this shape:
- The interpreter is started once per run and forks once per test, so a test costs a fork
  rather than a sandbox spawn.
- Expected outputs never come in: the host compares. Test code comes one test at a time, after
  the previous test finished, so a program cannot read later tests from the harness's memory.
- A Python test passes only if the child, after the program and the test code, reads a random
  token from a pipe the parent filled after forking and writes it back. `os._exit(0)`,
  `sys.exit(0)` or atexit handlers before that point never produce it.
- The harness makes itself non-dumpable, so the program (same uid) can neither ptrace it nor
  read its /proc files; as PID 1 it ignores signals sent from inside the namespace.
- After every test, `kill(-1, SIGKILL)` from PID 1 kills every other process in the namespace
  (daemons, fork bombs) and the harness reaps them all before answering.
"""

import _signal
import atexit
import marshal
import os
import select
import sys
import time

try:
    import resource
except ImportError:  # pragma: no cover - resource exists on every Linux CPython
    resource = None

SIGKILL = _signal.SIGKILL
SIGXCPU = _signal.SIGXCPU
SIGXFSZ = _signal.SIGXFSZ
SIGABRT = _signal.SIGABRT
WORK = "/tmp"
#: Every writable place; emptied after each test so no test sees what an earlier one left.
SCRATCH = (WORK, "/dev/shm")
BIN_DIR = "/tmp/.rk"
STDERR_CAP = 4096
#: g++ gets this much address space whatever the program's memory limit (cc1plus needs it).
COMPILE_MEMORY_MB = 2048
COMPILE_FILE_MB = 64
GXX = ["g++", "-O2", "-std=gnu++20", "-pipe", "-o", BIN_DIR + "/prog", BIN_DIR + "/prog.cpp"]


def _no_dump():
    """PR_SET_DUMPABLE 0: the program, same uid, can no longer ptrace us or read /proc/1/*."""
    try:
        import _ctypes

        prctl = _ctypes.dlsym(_ctypes.dlopen(None, 2), "prctl")
        _ctypes.call_function(prctl, (4, 0, 0, 0, 0))
    except Exception:  # best effort: the backend's health probe reports the rest
        pass


# --- framing --------------------------------------------------------------------------------


def _read_exact(n):
    chunks = []
    while n > 0:
        b = os.read(0, min(n, 1 << 20))
        if not b:
            raise EOFError
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def _read_frame():
    line = b""
    while not line.endswith(b"\n"):
        b = os.read(0, 1)
        if not b:
            raise EOFError
        line += b
        if len(line) > 20:
            raise EOFError
    return marshal.loads(_read_exact(int(line)))


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _reply(fields, out=b"", err=b""):
    head = " ".join("%s=%s" % kv for kv in fields.items())
    head += " out=%d err=%d\n" % (len(out), len(err))
    _write_all(1, head.encode() + out + err)


# --- processes --------------------------------------------------------------------------------


def _kill_all():
    """Kill every process in the namespace but us (we are PID 1), and reap them all."""
    for _ in range(100000):
        try:
            os.kill(-1, SIGKILL)
        except OSError:
            pass
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.0005)


def _wait(pid, timeout_s):
    """Wait for `pid` up to `timeout_s`; returns (wait status or None on timeout, seconds)."""
    t0 = time.monotonic()
    deadline = t0 + timeout_s
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = -1
    try:
        while True:
            got, status = os.waitpid(pid, os.WNOHANG)
            if got == pid:
                return status, time.monotonic() - t0
            left = deadline - time.monotonic()
            if left <= 0:
                return None, time.monotonic() - t0
            if pidfd >= 0:
                select.select([pidfd], [], [], left)
            else:
                time.sleep(min(left, 0.001))
    finally:
        if pidfd >= 0:
            os.close(pidfd)


def _limit(memory_mb, cpu_s, file_bytes, nproc):
    if resource is None:
        return
    mem = int(memory_mb) << 20
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    # An unlimited stack lets the main thread recurse as deep as RLIMIT_AS allows (a common
    # need of contest solutions), while glibc gives threads its 2 MiB default: a finite
    # RLIMIT_STACK would also be every thread's default stack size, so one std::thread would
    # need `memory_mb` of address space and fail.
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    stack = hard if hard == resource.RLIM_INFINITY else min(mem, hard)
    resource.setrlimit(resource.RLIMIT_STACK, (stack, stack))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Counted per uid in this run's own user namespace: +1 for the harness itself.
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc + 1, nproc + 1))


def _tmpfile(data=b""):
    """An anonymous file in the tmpfs: the program cannot replace or symlink it."""
    fd = os.open(WORK, os.O_TMPFILE | os.O_RDWR, 0o600)
    if data:
        _write_all(fd, data)
        os.lseek(fd, 0, 0)
    return fd


def _file_bytes(fd, cap):
    size = os.fstat(fd).st_size
    start = max(0, size - cap) if cap == STDERR_CAP else 0
    return os.pread(fd, min(size, cap), start), size


def _clean_workdir():
    """Remove everything a test left in the writable places (/tmp and /dev/shm)."""

    def rm(path):
        try:
            os.chmod(path, 0o700)
        except OSError:
            pass
        for entry in os.scandir(path):
            p = entry.path
            if entry.is_dir(follow_symlinks=False):
                rm(p)
                os.rmdir(p)
            else:
                os.unlink(p)

    for top in SCRATCH:
        try:
            for entry in os.scandir(top):
                if entry.is_dir(follow_symlinks=False):
                    rm(entry.path)
                    os.rmdir(entry.path)
                else:
                    os.unlink(entry.path)
        except OSError:
            pass


def _child_stdio(stdin_fd, out_fd, err_fd, keep):
    """In a fresh child: wire stdio, close everything else but `keep` (moved to 3, 4, ...)."""
    os.dup2(stdin_fd, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    moved = []
    for i, fd in enumerate(keep):
        os.dup2(fd, 3 + i, inheritable=False)
        moved.append(3 + i)
    os.closerange(3 + len(keep), 65536)
    return moved


# --- running a test -------------------------------------------------------------------------


def _python_child(program, test_code, tok_fd, res_fd):
    """Body of the forked child for a Python test. Never returns."""
    _write, _read, _exit = os.write, os.read, os._exit
    _Base, _Exit = BaseException, SystemExit
    import builtins

    main = type(sys)("__main__")
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    # `-S` skipped `site`, which is what defines exit() and quit(): programs use them.
    builtins.exit = builtins.quit = sys.exit
    main.__file__ = "main.py"
    os.environ.clear()  # bwrap's PWD and Python's locale coercion: the program sees none
    sys.argv = ["main.py"]
    sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", errors="replace", closefd=False)
    out = sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", closefd=False)

    def flush():
        for f in (sys.stdout, out, sys.stderr):
            try:
                f.flush()
            except _Base:
                pass

    def shutdown():
        # What the interpreter does at exit: wait for non-daemon threads (contest solutions
        # often start `threading.Thread(target=main)` for a bigger stack and never join it),
        # then run atexit handlers. Errors there are printed and ignored, as Python does.
        try:
            threading = sys.modules.get("threading")
            if threading is not None:
                threading._shutdown()
        except _Base:
            pass
        try:
            _run_exitfuncs()
        except _Base:
            pass
        flush()

    _run_exitfuncs = atexit._run_exitfuncs
    try:
        exec(program, main.__dict__)
        if test_code is not None:
            exec(test_code, main.__dict__)
        shutdown()
        _write(res_fd, b"S:" + _read(tok_fd, 64))
        _exit(0)
    except _Exit as e:
        shutdown()
        code = e.code
        _write(res_fd, b"X:" + str(code)[:50].encode())
        _exit(0 if code is None or code == 0 else 1)
    except _Base as e:
        try:
            _write(res_fd, b"E:" + type(e).__name__[:100].encode())
            sys.excepthook(type(e), e, e.__traceback__)
            flush()
        except _Base:
            pass
        _exit(1)
    _exit(1)


def _binary_fd(binary):
    """A fresh in-memory copy of the compiled program, private to this test: no file on disk
    that one test could change or leave state in for the next."""
    fd = os.memfd_create("prog")
    _write_all(fd, binary)
    return fd


def _exec_child(fd, res_fd):
    """Body of the forked child for a compiled program. Never returns."""
    # Python ignores SIGPIPE and SIGXFSZ; ignored signals survive exec, so restore them.
    _signal.signal(_signal.SIGPIPE, _signal.SIG_DFL)
    _signal.signal(SIGXFSZ, _signal.SIG_DFL)
    try:
        os.execve(fd, ["prog"], {})
    except OSError as e:
        os.write(res_fd, b"E:" + ("MemoryError" if e.errno == 12 else "ExecError").encode())
    os._exit(127)


def run_test(state, test):
    lim = state["limits"]
    timeout_s = float(lim["timeout_s"])
    max_out = int(lim["max_output_bytes"])
    cpu_s = int(timeout_s) + 1
    data = (test.get("input") or "").encode("utf-8", "replace")
    stdin_fd, out_fd, err_fd = _tmpfile(data), _tmpfile(), _tmpfile()
    tok_r, tok_w = os.pipe()
    res_r, res_w = os.pipe()
    code = state.get("python")
    test_code = None
    if test.get("code") is not None:
        test_code = compile(test["code"], "<test>", "exec")
    pid = os.fork()
    if pid == 0:
        try:
            tok, res = _child_stdio(stdin_fd, out_fd, err_fd, [tok_r, res_w])
            # Before the limits: RLIMIT_FSIZE would cap the copy at the output limit.
            binary = _binary_fd(state["binary"]) if code is None else -1
            _limit(lim["memory_mb"], cpu_s, max_out + 1, int(lim["max_processes"]))
            if code is not None:
                _python_child(code, test_code, tok, res)
            _exec_child(binary, res)
        finally:
            os._exit(127)
    os.close(tok_r)
    os.close(res_w)
    token = os.urandom(16).hex().encode()
    try:
        os.write(tok_w, token)
    except OSError:  # the child already exited or exec'd: it will never need the token
        pass
    os.close(tok_w)
    status, seconds = _wait(pid, timeout_s)
    timed_out = status is None
    _kill_all()
    res = b""
    while True:
        try:
            chunk = os.read(res_r, 256)
        except OSError:
            break
        if not chunk or len(res) > 512:
            break
        res += chunk
    os.close(res_r)
    out, out_size = _file_bytes(out_fd, max_out)
    err, _ = _file_bytes(err_fd, STDERR_CAP)
    for fd in (stdin_fd, out_fd, err_fd):
        os.close(fd)
    _clean_workdir()
    fields = {"time_ms": "%.3f" % (seconds * 1000), "timeout": int(timed_out)}
    fields["overflow"] = int(out_size > max_out)
    if status is not None:
        if os.WIFSIGNALED(status):
            fields["signal"] = os.WTERMSIG(status)
        else:
            fields["exit"] = os.WEXITSTATUS(status)
    if res.startswith(b"S:"):
        fields["sentinel"] = int(res[2:] == token)
    elif res.startswith(b"E:"):
        fields["exception"] = res[2:].decode("ascii", "replace").replace(" ", "_") or "?"
    elif res.startswith(b"X:"):
        fields["sysexit"] = 1
    _reply(fields, out, err)


# --- the program ----------------------------------------------------------------------------


def prepare(msg):
    """Compile the program once; reply `ready` with `status=ok` or `status=compile_error`."""
    lim = msg["limits"]
    state = {"limits": lim}
    t0 = time.monotonic()
    if msg["language"] == "python":
        try:
            state["python"] = compile(msg["source"], "main.py", "exec")
        except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError) as e:
            _reply({"op": "ready", "status": "compile_error"}, err=repr(e).encode()[:STDERR_CAP])
            return None
        _reply({"op": "ready", "status": "ok", "time_ms": "%.3f" % ((time.monotonic() - t0) * 1e3)})
        return state
    os.mkdir(BIN_DIR, 0o700)
    with open(BIN_DIR + "/prog.cpp", "w", encoding="utf-8") as f:
        f.write(msg["source"])
    err_fd = _tmpfile()
    null = os.open("/dev/null", os.O_RDONLY)
    pid = os.fork()
    if pid == 0:
        try:
            _child_stdio(null, err_fd, err_fd, [])
            _limit(
                max(COMPILE_MEMORY_MB, int(lim["memory_mb"])),
                int(lim["compile_timeout_s"]) + 1,
                COMPILE_FILE_MB << 20,
                max(16, int(lim["max_processes"])),
            )
            env = {"PATH": "/usr/bin:/bin", "TMPDIR": WORK, "LANG": "C"}
            os.execvpe(GXX[0], GXX, env)
        finally:
            os._exit(127)
    os.close(null)
    status, seconds = _wait(pid, float(lim["compile_timeout_s"]))
    _kill_all()
    err, _ = _file_bytes(err_fd, STDERR_CAP)
    os.close(err_fd)
    ms = "%.3f" % (seconds * 1000)
    if status is None:
        _reply({"op": "ready", "status": "compile_error", "time_ms": ms}, err=b"compile timed out")
        return None
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        if os.WIFSIGNALED(status):
            err += b"\ncompiler killed by signal %d" % os.WTERMSIG(status)
        _reply({"op": "ready", "status": "compile_error", "time_ms": ms}, err=err)
        return None
    with open(BIN_DIR + "/prog", "rb") as f:
        state["binary"] = f.read()
    _clean_workdir()  # tests run a private copy of the binary (see _binary_fd)
    _reply({"op": "ready", "status": "ok", "time_ms": ms})
    return state


def main():
    _no_dump()
    os.umask(0o077)
    try:
        if len(sys.argv) > 1:
            # Batch mode (the docker backend): the frames come from a file, which is unlinked
            # at once so the program cannot read the tests that come after its own.
            fd = os.open(sys.argv[1], os.O_RDONLY)
            os.unlink(sys.argv[1])
            os.dup2(fd, 0)
            os.close(fd)
        os.chdir(WORK)
        msg = _read_frame()
    except (EOFError, OSError, ValueError):
        return
    state = prepare(msg)
    del msg
    if state is None:
        return
    while True:
        try:
            test = _read_frame()
        except (EOFError, ValueError):
            return
        try:
            run_test(state, test)
        except Exception as e:  # a harness failure (fork refused ...): say so, do not vanish
            sys.excepthook(type(e), e, e.__traceback__)
            _kill_all()
            _reply({"harness_error": type(e).__name__})
        del test


def entry():
    """Run, then leave at once: interpreter shutdown would only cost the caller time."""
    try:
        main()
    finally:
        os._exit(0)


if __name__ == "__main__":
    entry()
