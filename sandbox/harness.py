# ruff: noqa: SIM105, SIM115, UP031, SIM905
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
import gc as _gc
import marshal
import os
import select
import sys
import time
from _operator import is_ as _is
from _operator import methodcaller as _methodcaller
from itertools import chain as _chain
from itertools import repeat as _repeat

try:
    import resource
except ImportError:  # pragma: no cover - resource exists on every Linux CPython
    resource = None

_values = _methodcaller("values")
_NONES = _repeat(None)
SIGKILL = _signal.SIGKILL
SIGXCPU = _signal.SIGXCPU
SIGXFSZ = _signal.SIGXFSZ
SIGABRT = _signal.SIGABRT
WORK = "/tmp"
#: Every writable place; emptied after each test so no test sees what an earlier one left.
SCRATCH = (WORK, "/dev/shm")
#: Where programs are built and, for languages run from files, laid out before each test
#: (the host's sandbox/languages modules name their files relative to it).
BIN_DIR = "/tmp/.rk"
#: Where a checker finds the test's input, the program's output and the expected answer.
CHECK_DIR = "/tmp/.rk-check"
STDERR_CAP = 4096
#: Largest file a compiler may write.
COMPILE_FILE_MB = 64


_CTYPES = []
#: Addresses of the C library's functions the harness calls, looked up once (`_libc`).
_LIBC = {}


def _libc(name):
    """The address of the C library's `name` (harness only: needs its own ctypes)."""
    address = _LIBC.get(name)
    if address is None:
        ct = _CTYPES[0]
        address = _LIBC[name] = ct.dlsym(ct.dlopen(None, 2), name)
    return address


def _no_dump():
    """PR_SET_DUMPABLE 0: the program, same uid, can no longer ptrace us or read /proc/1/*."""
    try:
        import _ctypes

        prctl = _ctypes.dlsym(_ctypes.dlopen(None, 2), "prctl")
        _ctypes.call_function(prctl, (4, 0, 0, 0, 0))
        _CTYPES.append(_ctypes)  # for the world check; never left where a program can reach
        del sys.modules["_ctypes"]  # a program's `import _ctypes` must go through the import
    except Exception:  # best effort: the backend's health probe reports the rest
        pass


# --- framing --------------------------------------------------------------------------------


#: Input read ahead from fd 0 (one read takes every frame the host has sent: a program and
#: its first test), and replies not written yet: they go out together when the harness is
#: about to wait for input or to run a test (a test's reply and the `end` of its program, a
#: check's reply and the next wait, cost one write and one wake-up of the host).
_IN = bytearray()
_OUT = []
_OUT_SIZE = [0]
#: Replies held back at most this much before they are written anyway.
_OUT_CAP = 1 << 20


#: Batch mode (a file holds every frame, the checker's answers too) reads no further than
#: the frame it needs: what comes later must not be in memory a forked test inherits.
_READ_AHEAD = [True]


def _fill_input(want=1):
    """Read what the host has sent (waiting for it, after writing the held-back replies)."""
    _flush()
    b = os.read(0, (1 << 20) if _READ_AHEAD[0] else want)
    if not b:
        raise EOFError
    _IN.extend(b)


def _read_exact(n):
    while len(_IN) < n:
        _fill_input(n - len(_IN))
    data = bytes(_IN[:n])
    del _IN[:n]
    return data


def _read_frame():
    while True:
        end = _IN.find(b"\n")
        if end >= 0:
            break
        if len(_IN) > 20:
            raise EOFError
        _fill_input()
    if end > 20:
        raise EOFError
    n = int(_IN[:end])
    del _IN[: end + 1]
    return marshal.loads(_read_exact(n))


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _reply(fields, out=b"", err=b""):
    head = " ".join("%s=%s" % kv for kv in fields.items())
    head += " out=%d err=%d\n" % (len(out), len(err))
    _OUT.append(head.encode())
    _OUT.append(out)
    _OUT.append(err)
    _OUT_SIZE[0] += len(out) + len(err)
    if _OUT_SIZE[0] > _OUT_CAP:
        _flush()


def _flush():
    """Write the held-back replies."""
    if _OUT:
        data = b"".join(_OUT)
        del _OUT[:]
        _OUT_SIZE[0] = 0
        _write_all(1, data)


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
    """Wait for `pid` up to `timeout_s`; returns (wait status or None on timeout, seconds,
    CPU seconds the child used)."""
    t0 = time.monotonic()
    deadline = t0 + timeout_s
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = -1
    try:
        while True:
            got, status, usage = os.wait4(pid, os.WNOHANG)
            if got == pid:
                cpu = usage.ru_utime + usage.ru_stime
                return status, time.monotonic() - t0, cpu
            left = deadline - time.monotonic()
            if left <= 0:
                return None, time.monotonic() - t0, 0.0
            if pidfd >= 0:
                select.select([pidfd], [], [], left)
            else:
                time.sleep(min(left, 0.001))
    finally:
        if pidfd >= 0:
            os.close(pidfd)


#: Every resource limit this platform has.
_RLIMITS = tuple(
    getattr(resource, n) for n in sorted(dir(resource)) if resource and n.startswith("RLIMIT_")
)


def _limit(memory_mb, cpu_s, file_bytes, nproc, nofile, address_space=True):
    """Every rlimit of the child, each with soft = hard so that the program can raise none.
    `address_space`: bound each process's address space by `memory_mb` (the fallback when no
    cgroup counts the run's memory as a whole)."""
    if resource is None:
        return
    mem = int(memory_mb) << 20
    inf = resource.RLIM_INFINITY
    if address_space:
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    # An unlimited stack lets the main thread recurse as deep as memory allows (a common need
    # of contest solutions), while glibc gives threads its 2 MiB default: a finite
    # RLIMIT_STACK would also be every thread's default stack size, so one std::thread would
    # need `memory_mb` of address space and fail.
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    stack = hard if hard == inf else min(mem, hard)
    resource.setrlimit(resource.RLIMIT_STACK, (stack, stack))
    # At the CPU limit the kernel kills (SIGKILL: soft = hard); the harness reads the child's
    # CPU time to call that a timeout.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Counted per uid in this run's own user namespace: +1 for the harness itself.
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc + 1, nproc + 1))
    resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    # No POSIX message queue can be made: one would outlive the program in the sandbox's IPC
    # namespace, and nothing lists them without mounting mqueuefs.
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
    # Every other limit: the hard limit comes down to the soft one, so none can be raised.
    for which in _RLIMITS:
        try:
            soft, hard = resource.getrlimit(which)
            if soft != hard:
                resource.setrlimit(which, (soft, soft))
        except (ValueError, OSError):
            pass


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


#: The modes of the writable places as the harness found them (before any program ran).
_SCRATCH_MODES = {}


#: FS_IOC_SETFLAGS (the same number on x86_64 and aarch64: a long's size is 8).
_FS_IOC_SETFLAGS = 0x40086602
_NO_FLAGS = b"\0" * 8


def _set_no_inode_flags(path):
    if not _CTYPES:
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        _CTYPES[0].call_function(_libc("ioctl"), (fd, _FS_IOC_SETFLAGS, _NO_FLAGS))
    except Exception:
        pass
    finally:
        os.close(fd)


#: bwrap's own devpts (`--dev`): writable, and its root and `ptmx` belong to the sandbox uid,
#: so a program may chmod them (a `ptmx` of mode 0 takes pseudo-terminals from the next one)
#: or keep data in their times. Put back as the harness found them.
_DEVPTS = ("/dev/pts", "/dev/pts/ptmx")
_DEVPTS_STAT = {}


def _put_back_devpts():
    for path in _DEVPTS:
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            continue
        if st.st_mode & 0o170000 == 0o120000:
            continue  # a symlink here is not bwrap's devpts
        now = (st.st_mode & 0o7777, st.st_atime_ns, st.st_mtime_ns)
        then = _DEVPTS_STAT.setdefault(path, now)
        if now != then:
            try:
                os.chmod(path, then[0])
                os.utime(path, ns=then[1:])
            except OSError:
                pass


def _clean_workdir():
    """Remove everything a test left in the writable places (/tmp and /dev/shm)."""
    _put_back_devpts()

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
            # A program owns the mount points themselves: it may chmod them, or keep data in
            # their times or extended attributes. Their mode goes back here, the rest below.
            mode = os.stat(top).st_mode & 0o7777
            if _SCRATCH_MODES.setdefault(top, mode) != mode:
                os.chmod(top, _SCRATCH_MODES[top])
        except OSError:
            pass
        try:
            for entry in os.scandir(top):
                if entry.is_dir(follow_symlinks=False):
                    rm(entry.path)
                    os.rmdir(entry.path)
                else:
                    os.unlink(entry.path)
        except OSError:
            pass
        try:
            for name in os.listxattr(top):
                os.removexattr(top, name)
        except OSError:
            pass
        # Inode flags (tmpfs takes FS_IOC_SETFLAGS; NODUMP and NOATIME need no capability,
        # and new files inherit them) go back to none.
        _set_no_inode_flags(top)
        try:
            os.utime(top, ns=(0, 0))  # after the removals, which set the times themselves
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


# --- the tests' world (function-style Python tests) -------------------------------------------
#
# A function test runs in the program's interpreter after the program: without care it would see
# whatever the program left (builtins rebound, `math.isclose` patched, `sys.modules` entries
# replaced) and compare values the program made with the program's own `__eq__`. `_World` gives
# the test the world the service set up: it snapshots the modules before the program runs,
# restores them after it, hands the test private copies, checks every value the test inspects
# (the host rewrote the test so that it calls `_rk_v`, `_rk_t` and `_rk_call`: see
# sandbox/testguard.py), and an audit hook keeps the program's code away from frames, the
# garbage collector's object lists, tracing and ctypes, the ways to reach into the test.

_HEAPTYPE = 1 << 9
_type_dict = type.__dict__["__dict__"].__get__
_type_mro = type.__dict__["__mro__"].__get__
_type_flags = type.__dict__["__flags__"].__get__
#: Dunders through which a value answers a test's question about it. A class of the program's
#: that defines any of them makes its objects unfit for a test to inspect (`__repr__` is left
#: out: printing is not judging, and namedtuples define it).
_VALUE_DUNDERS = frozenset(
    "__%s__" % n
    for n in (
        "eq ne lt le gt ge hash bool len contains iter next getitem index int float complex "
        "abs round trunc floor ceil neg pos invert str format bytes getattr getattribute class "
        "instancecheck subclasscheck add radd sub rsub mul rmul truediv rtruediv floordiv "
        "rfloordiv mod rmod divmod rdivmod pow rpow matmul rmatmul lshift rlshift rshift "
        "rrshift and rand or ror xor rxor iadd isub imul itruediv ifloordiv imod ipow"
    ).split()
)
_SCALARS = frozenset(
    (type(None), bool, int, float, complex, str, bytes, bytearray, type(...), range, slice)
)
_SEQUENCES = frozenset((list, tuple, set, frozenset, type({}.keys()), type({}.values())))
#: Audit events that hand out frames or every object; blocked while the program's code runs.
_FRAME_EVENTS = frozenset(("sys._getframe", "sys._current_frames", "sys._getframemodulename"))
_FRAME_ATTRS = frozenset(("tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"))
_ALWAYS_BLOCKED = frozenset(
    (
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "sys.settrace",
        "sys.setprofile",
        "sys.monitoring.register_callback",
        "cpython.PyInterpreterState_New",
    )
)
#: Functions of the standard library that give their caller frames (or objects holding them).
_FRAME_EXPORTERS = frozenset(
    (
        ("inspect", "currentframe"),
        ("inspect", "stack"),
        ("inspect", "trace"),
        ("inspect", "getouterframes"),
        ("inspect", "getinnerframes"),
        ("traceback", "walk_stack"),
        ("traceback", "walk_tb"),
        ("logging", "<lambda>"),  # logging.currentframe
        ("asyncio.base_tasks", "_task_get_stack"),
    )
)
#: Modules all of whose functions may give frames away (debuggers).
_FRAME_MODULES = frozenset(("bdb", "pdb", "cgitb", "pydoc"))
_BLOCKED_MODULES = frozenset(("ctypes", "_ctypes", "_testcapi", "_testinternalcapi", "cffi"))
#: A fork would be an oracle: the test runs in this process after the program, so a child
#: that returns a candidate answer tells its parent by its exit status whether the test passed
#: with it (the parent then returns the winner). Refused in function tests (from the program's
#: top level too: a child forked there runs the test as well); stdio tests may fork.
_FORK_EVENTS = frozenset(("os.fork", "os.forkpty"))
_WATCHED = (
    _FRAME_EVENTS
    | _ALWAYS_BLOCKED
    | _FORK_EVENTS
    | {"object.__getattr__", "import", "open", "object.__setattr__", "object.__delattr__"}
)


class _Slotted:
    __slots__ = ("slot",)


_MEMBER = type(_Slotted.__dict__["slot"])
_object_getattribute = object.__getattribute__


def _instance_state(x, t):
    """The values an instance holds itself: its `__dict__` and its slots (those of Python
    classes in its MRO). Read without running any of the object's code."""
    values = []
    try:
        d = _object_getattribute(x, "__dict__")
        if type(d) is dict:
            values.extend(dict.values(d))
    except Exception:
        pass
    for c in _type_mro(t):
        if not _type_flags(c) & _HEAPTYPE:
            continue
        for desc in _type_dict(c).values():
            if type(desc) is _MEMBER:
                try:
                    values.append(_MEMBER.__get__(desc, x, c))
                except Exception:
                    pass
    return values


class RiggedValue(BaseException):
    """A test inspected a value it cannot trust. A BaseException: `except Exception` in the
    test does not swallow it (the harness records the flag in any case)."""


#: Modules outside the snapshot: the interpreter's own (guarded apart), the program's, ours
#: (the harness leaves `sys.modules` before a program runs).
_UNSNAPPED = frozenset(("sys", "builtins", "__main__", "harness", "__rk_harness__"))
#: Left out of the snapshot, not out of `sys.modules`: the signal modules, whose handler
#: installers a function test's child takes away (`_no_signal_handlers`) before the program.
_SIGNAL_MODULES = frozenset(("_signal", "signal"))


def _snapshot():
    """The pristine state a test's world is restored to: the builtins, every loaded module's
    namespace, the standard library's classes, the import system's lists. Taken in the
    harness (which never runs a program) once per set of test imports; each test's child gets
    it by fork, for free."""
    import builtins

    modules = {}
    classes = {}
    for name, mod in list(sys.modules.items()):
        d = getattr(mod, "__dict__", None)
        if type(d) is not dict or name in _UNSNAPPED or name in _SIGNAL_MODULES:
            continue
        modules[name] = (mod, dict(d))
        for v in d.values():
            if (
                isinstance(v, type)
                and _type_flags(v) & _HEAPTYPE
                and id(v) not in classes
                and getattr(v, "__module__", None) == name
            ):
                classes[id(v)] = (v, dict(_type_dict(v)))
    saved_builtins = dict(builtins.__dict__)
    live = [builtins.__dict__] + [mod.__dict__ for mod, _ in modules.values()]
    saved = [saved_builtins] + [d for _, d in modules.values()]
    class_list = [cls for cls, _ in classes.values()]
    saved += [d for _, d in classes.values()]
    return {
        "builtins": saved_builtins,
        "modules": modules,
        "classes": classes,
        "sys_lists": [(lst, list(lst)) for lst in (sys.meta_path, sys.path_hooks, sys.path)],
        # Every entry of the world in order, for `_world_unchanged`: a program rarely touches
        # the world, and telling so in one pass in C is many times quicker than repairing it
        # dict by dict.
        "live": live,
        "class_list": class_list,
        "sys_modules": sys.modules,  # the interpreter's own dict (the import system's)
        "module_names": list(modules),
        "module_objects": [mod for mod, _ in modules.values()],
        "entries": sum(map(len, saved)),
        "last_keys": tuple(next(reversed(d), None) for d in saved),
        "values": tuple(_chain.from_iterable(map(_values, saved))),
    }


def _world_unchanged(snap, ct=None):
    """Whether every snapshotted dict (the builtins, the modules', the classes') holds its
    values, in order, with the same length and last key, and `sys.modules` the same modules:
    compared by identity only, so no program code runs (no `__eq__`, no `__hash__`).

    Why the last key is enough: a dict keeps insertion order and a new key goes to the end,
    so a changed key set with every value in place ends in a new key, unless the program
    also deleted and re-added the last key (a rename of a middle entry to a name the test
    does not know: the test meets a missing attribute). Checking every key would copy every
    key's page into the child: half a millisecond a test."""
    modules = snap["sys_modules"]
    if not all(map(_is, map(modules.get, snap["module_names"]), snap["module_objects"])):
        return False
    if snap.get("tagged") and _WORLDCHECK and ct is not None:
        # Every dict's version tag as it was (sandbox/worldcheck.c): nothing was written.
        return ct.call_function(_WORLDCHECK[1], ()) == -1
    maps = snap["live"] + list(map(_type_dict, snap["class_list"]))
    try:
        return (
            sum(map(len, maps)) == snap["entries"]
            and all(map(_is, map(next, map(reversed, maps), _NONES), snap["last_keys"]))
            and all(map(_is, _chain.from_iterable(map(_values, maps)), snap["values"]))
        )
    except TypeError:  # no reversed() of a mappingproxy before 3.9: repair entry by entry
        return False


def _world_statics(snap):
    """The parts of a `_World` that depend only on its snapshot."""
    import builtins

    trusted = {id(m[0].__dict__) for m in snap["modules"].values()}
    f = sys._getframe(0)
    while f is not None:  # the harness's own frames (its entry runs in its __main__)
        trusted.add(id(f.f_globals))
        f = f.f_back
    return {
        "trusted_globals": frozenset(trusted),
        # Where the interpreter's own modules live (bound read-only into the sandbox).
        "prefixes": tuple(
            {os.path.join(p, "lib", "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
        ),
        # Builtins that ask nothing of a value's class: no guard on their arguments.
        "exempt": frozenset(
            id(builtins.__dict__[n])
            for n in (
                "isinstance",
                "issubclass",
                "type",
                "id",
                "callable",
                "hasattr",
                "getattr",
                "setattr",
                "delattr",
                "print",
                "repr",
            )
        ),
    }


def _refuse_signal_handler(signalnum, handler):
    """`signal.signal` for a function test's program: SIG_DFL and SIG_IGN are accepted and
    change nothing (a Python handler is what must not run; the idiom
    `signal.signal(SIGPIPE, SIG_DFL)` keeps working), a handler is refused."""
    import _signal

    if handler in (_signal.SIG_DFL, _signal.SIG_IGN):
        return _signal.getsignal(signalnum)
    raise PermissionError("a program with function tests cannot install signal handlers here")


def _no_signal_handlers():
    """Take `signal.signal` away from a function test's program: a Python signal handler is
    handed the frame that was running when the signal came (no audit event anywhere on the
    way), which during the test is the test's own, expected values in its constants. The
    replacement holds no reference to the real one; `signal.signal`'s `__wrapped__` is the
    real one, so it goes too; re-importing `_signal` (which would make it afresh) is refused
    by the audit hook."""
    import _signal

    _signal.signal = _refuse_signal_handler
    sig = sys.modules.get("signal")
    if sig is not None:
        sig.signal = _refuse_signal_handler


class _World:
    def __init__(self, snap, main_globals):
        import builtins

        self.flags = set()  # every attempt seen (reported)
        self.fatal = set()  # attempts that fail the test
        self.phase = "program"
        self.in_hook = False
        self.main_globals = main_globals
        self.builtins = builtins
        self.saved_builtins = snap["builtins"]
        self.real_import = builtins.__import__
        self.modules = snap["modules"]
        self.classes = snap["classes"]
        self.snap = snap
        # Worked out once per snapshot in the harness (children get them by fork): what a
        # child computes itself it pays for in copied pages too.
        static = snap.get("static")
        if static is None:
            static = snap["static"] = _world_statics(snap)
        self.trusted_globals = static["trusted_globals"]
        self.sys_lists = snap["sys_lists"]
        self.prefixes = static["prefixes"]
        self.library_globals = {}
        self.test_globals = None
        self.clones = {}
        self.exempt = static["exempt"]
        # The harness's ctypes, for the world check: held here (on the value stack, out of
        # the frames' reach) and gone from the harness's globals before the program runs,
        # which may walk frames up to them (and ctypes reads any memory).
        self.ct = _CTYPES[0] if _CTYPES else None
        del _CTYPES[:]
        _no_signal_handlers()
        sys.addaudithook(self.audit)

    # --- the audit hook ---------------------------------------------------------------------

    def audit(self, event, args):
        if event not in _WATCHED or self.in_hook:
            return
        self.in_hook = True
        try:
            self._audit(event, args)
        finally:
            self.in_hook = False

    def _audit(self, event, args):
        if event == "import":
            if args[0].partition(".")[0] in _BLOCKED_MODULES:
                self._caught("introspection", fatal=self.phase == "test")
                raise ImportError("module %r is not available in the sandbox" % args[0])
            if args[0] == "_signal":  # re-made from its first import: the real installer
                raise ImportError("module '_signal' cannot be imported again in the sandbox")
            return
        if event == "open":
            path = args[0]
            if isinstance(path, str) and path.startswith("/proc/") and path.endswith("/mem"):
                self._caught("introspection", fatal=self.phase == "test")
                raise PermissionError("no access to process memory in the sandbox")
            return
        if event in _FORK_EVENTS:
            if self.phase != "done":
                self._caught("fork", fatal=True)
                raise PermissionError("a function test's program cannot fork in the sandbox")
            return
        if event in _ALWAYS_BLOCKED:
            if self.phase != "done":
                self._caught("introspection", fatal=self.phase == "test")
                raise RuntimeError("%s is not available in the sandbox" % event)
            return
        if event in ("object.__setattr__", "object.__delattr__"):
            if self.phase == "test" and id(args[0]) in self.classes and self._program_on_stack():
                self._caught("patched_modules", fatal=True)
                raise AttributeError("the standard library is read-only while tests run")
            return
        if event == "object.__getattr__" and args[1] not in _FRAME_ATTRS:
            return
        if self.phase == "test" and self._program_gets_a_frame():
            self._caught("frame_access", fatal=True)
            # ValueError is what the standard library expects from a stack that is too shallow
            # (namedtuple, enum, typing and logging carry on without a frame).
            raise ValueError("frames are not available to the program in the sandbox")

    def _caught(self, flag, fatal):
        self.flags.add(flag)
        if fatal:
            self.fatal.add(flag)

    def _program_gets_a_frame(self):
        """Whether the frame (or traceback) asked for goes to the program's code: it asks
        itself, or it called a function of the standard library that hands frames back
        (`inspect.stack`, `traceback.walk_stack` ...). The library's own uses, with the
        program further down the stack (namedtuple, logging, printing a traceback), pass."""
        f = sys._getframe(3)  # the frame that asked (above: this, _audit, audit)
        above = None
        trusted, test = self.trusted_globals, self.test_globals
        while f is not None:
            g = f.f_globals
            if id(g) not in trusted and g is not test and not self._library(f):
                if above is None:
                    return True
                code = above.f_code
                module = above.f_globals.get("__name__", "")
                return module.partition(".")[0] in _FRAME_MODULES or (
                    (module, code.co_name) in _FRAME_EXPORTERS
                )
            above = f
            f = f.f_back
        return False

    def _library(self, frame):
        """Whether `frame` runs code of a module the import system loaded from the
        interpreter's own (read-only) directories after the snapshot, such as a standard
        module the program imported. Remembered per module."""
        g = frame.f_globals
        known = self.library_globals.get(id(g))
        if known is not None:
            return known
        name = g.get("__name__")
        path = g.get("__file__")
        ok = (
            isinstance(name, str)
            and name != "__main__"
            and getattr(sys.modules.get(name), "__dict__", None) is g
            and isinstance(path, str)
            and path.startswith(self.prefixes)
            and frame.f_code.co_filename == path
        )
        self.library_globals[id(g)] = ok
        return ok

    def _program_on_stack(self):
        """Whether code of the program (globals that are no module's, the test's or ours) is
        running on this thread's stack."""
        f = sys._getframe(2)
        trusted, test = self.trusted_globals, self.test_globals
        while f is not None:
            g = f.f_globals
            if id(g) not in trusted and g is not test and not self._library(f):
                return True
            f = f.f_back
        return False

    # --- program -> test ------------------------------------------------------------------

    def _repair(self, current, saved, strict, set_=None, delete=None):
        """Put `current` (a dict, or a class's through `set_`/`delete`) back to `saved`; True
        if what was changed counts as patching: anything when `strict`, else a removed entry,
        a changed or added callable (modules aside) or a value the program made."""
        patched = False
        for k, old in saved.items():
            v = current.get(k, _MISSING)
            if v is old:
                continue
            if strict or v is _MISSING or callable(v) or not self._trusted(v):
                patched = True
            try:
                set_(k, old) if set_ else current.__setitem__(k, old)
            except (AttributeError, TypeError):
                pass
        for k in [k for k in current if k not in saved]:
            v = current[k]
            if strict or (callable(v) and type(v) is not type(sys)) or not self._trusted(v):
                patched = True
                try:
                    delete(k) if delete else current.__delitem__(k)
                except (AttributeError, TypeError):
                    pass
        return patched

    def restore(self):
        """Put every snapshotted module, class and the builtins back; returns (and records)
        the flags of what was patched."""
        found = set()
        if sys.modules is not self.snap["sys_modules"]:
            found.add("patched_modules")
            sys.modules = self.snap["sys_modules"]
        lists_unchanged = all(
            len(lst) == len(saved) and all(map(_is, lst, saved)) for lst, saved in self.sys_lists
        )
        if lists_unchanged and _world_unchanged(self.snap, self.ct):
            return found
        if self._repair(self.builtins.__dict__, self.saved_builtins, True):
            found.add("patched_builtins")
        for name, (mod, saved) in self.modules.items():
            if sys.modules.get(name) is not mod:
                found.add("patched_modules")
                sys.modules[name] = mod
            if self._repair(mod.__dict__, saved, False):
                found.add("patched_modules")
        for cls, saved in self.classes.values():
            set_ = lambda k, v, c=cls: type.__setattr__(c, k, v)  # noqa: E731
            delete = lambda k, c=cls: type.__delattr__(c, k)  # noqa: E731
            if self._repair(_type_dict(cls), saved, False, set_, delete):
                found.add("patched_modules")
        for lst, saved in self.sys_lists:
            if len(lst) != len(saved) or any(a is not b for a, b in zip(lst, saved)):  # noqa: B905 (runs on 3.8)
                found.add("patched_modules")
                lst[:] = saved
        self.flags |= found
        return found

    def enter_test(self):
        """The test's globals: the program's names (not those that shadow builtins: the test
        sees the real ones), private copies of the modules and builtins, and the guards."""
        main = self.main_globals
        saved_builtins = self.saved_builtins
        g = {}
        for k, v in main.items():
            if k in saved_builtins and not (k.startswith("__") and k.endswith("__")):
                if saved_builtins[k] is not v:
                    self.flags.add("shadowed_builtins")
                continue
            if type(v) is type(sys) and getattr(v, "__name__", None) in self.modules:
                v = self._clone(v.__name__)
            g[k] = v
        b = dict(saved_builtins)
        b["__import__"] = self._import
        g["__builtins__"] = b
        g["_rk_v"], g["_rk_t"], g["_rk_call"] = self.value, self.truth, self.call
        self.test_globals = g
        self.phase = "test"
        return g

    def leave_test(self):
        """After the test: anything it saw patched while it ran fails it."""
        self.phase = "checking"
        found = self.restore()
        self.fatal |= found
        self.phase = "done"

    def _clone(self, name):
        m = self.clones.get(name)
        if m is None:
            saved = self.modules[name][1]
            m = type(sys)(name)
            m.__dict__.update(saved)
            self.clones[name] = m
        return m

    def _import(self, name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0:
            target = name if fromlist else name.partition(".")[0]
            if target in self.modules and name in self.modules:
                return self._clone(target)
        return self.real_import(name, globals, locals, fromlist, level)

    # --- values the test inspects ---------------------------------------------------------

    def _trusted_type(self, t):
        test = self.test_globals
        for c in _type_mro(t):
            if not _type_flags(c) & _HEAPTYPE or id(c) in self.classes:
                continue
            d = _type_dict(c)
            if _VALUE_DUNDERS.isdisjoint(d):
                continue
            # The test's own classes are trusted: their methods run the test's code.
            if any(getattr(f, "__globals__", None) is test for f in d.values()):
                continue
            return False
        return True

    def _trusted(self, v):
        stack = [v]
        seen = set()
        budget = 1000000
        while stack:
            x = stack.pop()
            t = type(x)
            if t in _SCALARS:
                continue
            if id(x) in seen:
                continue
            seen.add(id(x))
            budget -= 1
            if budget < 0:
                return True  # checked a million items: the rest is the same data
            if t in _SEQUENCES:
                stack.extend(x)
            elif t is dict:
                stack.extend(x.keys())
                stack.extend(x.values())
            elif t is type({}.items()):
                for kv in x:
                    stack.extend(kv)
            elif not self._trusted_type(t):
                return False
            else:
                if isinstance(x, (list, tuple, set, frozenset)):
                    base = next(b for b in _type_mro(t) if b in _SEQUENCES)
                    stack.extend(base.__iter__(x))
                elif isinstance(x, dict):
                    stack.extend(dict.keys(x))
                    stack.extend(dict.values(x))
                if _type_flags(t) & _HEAPTYPE and self._library_instance(t):
                    # A standard class's comparisons read the instance's own state, which
                    # the program set (`UserString.__eq__` is `self.data == other`,
                    # `Fraction.__eq__` compares `self._numerator`): that state must be
                    # plain data too.
                    stack.extend(_instance_state(x, t))
        return True

    def _library_instance(self, t):
        classes = self.classes
        return any(id(c) in classes for c in _type_mro(t))

    def _rigged(self, v):
        self.flags.add("rigged_value")
        self.fatal.add("rigged_value")
        return RiggedValue(
            "the test cannot trust a %s made by the program (its class answers comparisons "
            "or questions itself): tests judge plain data" % type(v).__name__
        )

    def value(self, v):
        if self._trusted(v):
            t = type(v)
            if (
                t not in _SCALARS
                and t not in _SEQUENCES
                and t is not dict
                and (hasattr(t, "__next__") and not isinstance(v, (list, tuple, dict, set)))
            ):
                return self._checked_iter(v)
            return v
        raise self._rigged(v)

    def _checked_iter(self, it):
        for x in it:
            yield self.value(x)

    def truth(self, v):
        return bool(self.value(v))

    def _own(self, f):
        """Whether calling `f` runs the program's or the test's own code (its arguments are
        theirs to judge), rather than the builtins' or the standard library's."""
        fn = getattr(f, "__func__", f)
        g = getattr(fn, "__globals__", None)
        if g is not None and type(g) is dict:
            return id(g) not in self.trusted_globals
        if isinstance(f, type):
            return bool(_type_flags(f) & _HEAPTYPE) and id(f) not in self.classes
        t = type(f)
        return bool(_type_flags(t) & _HEAPTYPE) and id(t) not in self.classes

    def call(self, f, *args, **kwargs):
        if id(f) not in self.exempt and not self._own(f):
            for a in args:
                if not self._trusted(a):
                    raise self._rigged(a)
            for a in kwargs.values():
                if not self._trusted(a):
                    raise self._rigged(a)
        return f(*args, **kwargs)


_MISSING = object()


# --- running a test -------------------------------------------------------------------------


_STDIO_FLAGS = set()
_STREAMS = []


def _child_streams():
    """Text streams on fds 0, 1 and 2 for a Python child, made once in the harness (which
    never uses them: its own fds 0 and 1 are the protocol) and inherited unused by each
    fork, where the test's files sit on those fds."""
    if not _STREAMS:
        _STREAMS.extend(
            (
                open(0, encoding="utf-8", errors="replace", closefd=False),
                open(1, "w", encoding="utf-8", closefd=False),
                open(2, "w", encoding="utf-8", closefd=False),
            )
        )
    return _STREAMS


def _stdio_audit(event, args):
    """The audit hook of a Python program with stdio tests: no ctypes, no process memory."""
    if event == "import":
        if args[0].partition(".")[0] in _BLOCKED_MODULES:
            _STDIO_FLAGS.add("introspection")
            raise ImportError("module %r is not available in the sandbox" % args[0])
    elif event == "open":
        path = args[0]
        if isinstance(path, str) and path.startswith("/proc/") and path.endswith("/mem"):
            _STDIO_FLAGS.add("introspection")
            raise PermissionError("no access to process memory in the sandbox")


def _python_child(program, test, tok_fd, res_fd):
    """Body of the forked child for a Python test (`test`: None for stdio tests, else the
    guarded test code and the pristine snapshot of its world). Never returns."""
    _write, _read, _exit = os.write, os.read, os._exit
    _Base, _Exit = BaseException, SystemExit
    import builtins

    main = type(sys)("__main__")
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    main.__file__ = "main.py"
    os.environ.clear()  # bwrap's PWD and Python's locale coercion: the program sees none
    sys.argv = ["main.py"]
    stdin, out, err = _child_streams()
    sys.stdin = sys.__stdin__ = stdin
    sys.stdout = sys.__stdout__ = out
    sys.stderr = sys.__stderr__ = err
    # The harness's own module must not be there for the program to import and change,
    # nor ctypes (loaded to make us non-dumpable): importing it again is refused.
    for name in (_UNSNAPPED - {"sys", "builtins", "__main__"}) | _BLOCKED_MODULES:
        sys.modules.pop(name, None)
    _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    world = None
    if test is None:
        # Stdio tests have no tests' world, but the same rule on memory: this process is a
        # fork of a harness that served earlier programs, so no Python program may read raw
        # memory (ctypes, /proc/*/mem, the harness's own ctypes); a built program execs and
        # starts afresh.
        del _CTYPES[:]
        sys.addaudithook(_stdio_audit)

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

    def flags():
        found = world.flags if world is not None else _STDIO_FLAGS
        if not found:
            return b""
        return b"|" + ",".join(sorted(found)).encode()

    _run_exitfuncs = atexit._run_exitfuncs
    try:
        if test is None:
            exec(program, main.__dict__)
        else:
            # The world is an argument being evaluated while the program runs: it sits on this
            # frame's value stack, not in a local, so a frame the program takes (they are
            # allowed while it runs: logging, namedtuple, tracebacks) does not lead to it.
            world, caught = _test_phase(
                _World(test[1], main.__dict__), _run_program(program, main.__dict__), test[0]
            )
            if caught is not None:
                raise caught
        shutdown()
        if world is not None and world.fatal:
            _write(res_fd, b"R:" + flags())
            _exit(1)
        _write(res_fd, b"S:" + _read(tok_fd, 64) + flags())
        _exit(0)
    except _Exit as e:
        shutdown()
        code = e.code
        _write(res_fd, b"X:" + str(code)[:50].encode() + flags())
        _exit(0 if code is None or code == 0 else 1)
    except _Base as e:
        try:
            _write(res_fd, b"E:" + type(e).__name__[:100].encode() + flags())
            sys.excepthook(type(e), e, e.__traceback__)
            flush()
        except _Base:
            pass
        _exit(1)
    _exit(1)


def _run_program(program, namespace):
    """Run the program; what it raised (None when it ran through)."""
    try:
        exec(program, namespace)
    except BaseException as e:
        return e
    return None


def _test_phase(world, raised, code):
    """After the program ran: restore the world, run the test in it (unless the program
    raised), check it was not patched meanwhile. Returns the world and what the program or the
    test raised (None when both ran through)."""
    world.restore()
    if raised is not None:
        world.phase = "done"
        return world, raised
    caught = None
    try:
        exec(code, world.enter_test())
    except BaseException as e:
        caught = e
    world.leave_test()
    return world, caught


def _binary_fd(binary):
    """A fresh in-memory copy of the compiled program, private to this test: no file on disk
    that one test could change or leave state in for the next."""
    fd = os.memfd_create("prog")
    _write_all(fd, binary)
    return fd


def _exec_child(fd, res_fd, argv=("prog",), env=None):
    """Body of the forked child for a built program: exec `fd` (a private copy of a binary)
    or, when `fd` < 0, `argv[0]` (an interpreter or a VM). Never returns."""
    # Python ignores SIGPIPE and SIGXFSZ; ignored signals survive exec, so restore them.
    _signal.signal(_signal.SIGPIPE, _signal.SIG_DFL)
    _signal.signal(SIGXFSZ, _signal.SIG_DFL)
    _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
    try:
        os.execve(fd if fd >= 0 else argv[0], list(argv), env or {})
    except OSError as e:
        os.write(res_fd, b"E:" + ("MemoryError" if e.errno == 12 else "ExecError").encode())
    os._exit(127)


def _flag_list(raw):
    """The child's flags (`a,b`), kept to safe characters: they go into the reply header."""
    ok = b"abcdefghijklmnopqrstuvwxyz_,"
    return "".join(chr(c) for c in raw[:200] if c in ok).strip(",")


#: The pristine world of function tests, shared by every program this sandbox serves (this
#: process runs no program code, so it stays pristine): retaken only when a test's imports
#: load new modules, so that it always covers every module a child starts with.
_SNAP = {"modules": -1, "snapshot": None}
#: Compiled test code by source: a GRPO group's programs share their tests.
_TEST_CODE = {}


def _world_snapshot(imports):
    """The snapshot after importing `imports` (once per sandbox, before any fork: each
    child starts with them loaded, and their pristine state is what the test sees)."""
    for name in imports:
        if name not in sys.modules:
            try:
                __import__(name)
            except BaseException:
                pass  # the test fails on its own import
    _load_worldcheck()  # (imports struct before any snapshot is taken)
    stale = (
        _SNAP["snapshot"] is not None
        and _SNAP["snapshot"].get("tagged")
        and (
            _CTYPES[0].call_function(_WORLDCHECK[1], ()) != -1  # we changed the world ourselves
        )
    )
    if _SNAP["modules"] != len(sys.modules) or stale:
        snap = _snapshot()
        snap["static"] = _world_statics(snap)
        snap["tagged"] = _tag_world(snap)
        _SNAP["snapshot"] = snap
        _SNAP["modules"] = len(sys.modules)
    return _SNAP["snapshot"]


#: (rk_snapshot, rk_changed) of sandbox/worldcheck.c when it loaded and its view of a dict
#: checked out; empty: the world is compared entry by entry (slower, same answer).
_WORLDCHECK = []
#: Where CPython 3.8+ keeps a dict's version tag (after refcount, type, ma_used).
_TAG_OFFSET = 24


def _load_worldcheck():
    """Load the world check next to this module (/rk/rkworld.so, built by the host) and make
    sure it reads what it should on this interpreter: a dict's size at the word before the
    tag, a tag that moves when a dict changes and only then."""
    if _WORLDCHECK or not _CTYPES:
        return bool(_WORLDCHECK)
    try:
        import struct

        ct = _CTYPES[0]
        path = os.path.join(
            os.path.dirname(globals().get("__file__") or "/nonexistent"), "rkworld.so"
        )
        if not os.path.exists(path):
            return False
        lib = ct.dlopen(path, 2)
        snapshot, changed, word = (
            ct.dlsym(lib, n) for n in ("rk_snapshot", "rk_changed", "rk_word")
        )
        probes = [{}, {"a": 1}, dict.fromkeys(range(50))]
        for d in probes:
            if ct.call_function(word, (struct.pack("P", id(d)), _TAG_OFFSET - 8)) != len(d):
                return False
        if ct.call_function(snapshot, (struct.pack("3P", *map(id, probes)), 3, _TAG_OFFSET)):
            return False
        still = ct.call_function(changed, ())
        probes[1]["b"] = 2
        moved = ct.call_function(changed, ())
        if still != -1 or moved != 1:
            return False
        _WORLDCHECK[:] = [snapshot, changed]
        return True
    except Exception:
        return False


def _tag_world(snap):
    """Remember the version tag of every dict of the snapshot in the world check (children
    inherit it); False when there is no world check here."""
    if not _load_worldcheck():
        return False
    try:
        import struct

        dicts = [d for d in snap["live"]]
        for cls in snap["class_list"]:
            # The class's own dict behind its read-only mappingproxy.
            dicts.extend(r for r in _gc.get_referents(_type_dict(cls)) if type(r) is dict)
        snap["tagged_dicts"] = dicts  # kept alive with the snapshot
        packed = struct.pack("%dP" % len(dicts), *map(id, dicts))
        ct = _CTYPES[0]
        return ct.call_function(_WORLDCHECK[0], (packed, len(dicts), _TAG_OFFSET)) == 0
    except Exception:
        return False


def _test_code(source):
    code = _TEST_CODE.get(source)
    if code is None:
        if len(_TEST_CODE) >= 256:
            _TEST_CODE.clear()
        code = _TEST_CODE[source] = compile(source, "<test>", "exec")
    return code


def run_test(state, test):
    lim = state["limits"]
    timeout_s = float(test.get("timeout_s") or lim["timeout_s"])
    max_out = int(lim["max_output_bytes"])
    cpu_s = int(timeout_s) + 1
    data = (test.get("input") or "").encode("utf-8", "replace")
    stdin_fd, out_fd, err_fd = _tmpfile(data), _tmpfile(), _tmpfile()
    tok_r, tok_w = os.pipe()
    res_r, res_w = os.pipe()
    code = state.get("python")
    py_test = None
    if test.get("code") is not None:
        py_test = (_test_code(test["code"]), _world_snapshot(test.get("imports") or ()))
    built = state.get("built") or {}
    _lay_out(built)
    if code is not None:
        _child_streams()
    # What is held back (a program's `ready`) goes out before the test, which may run long:
    # the host waits for `ready` only as long as a build may take.
    _flush()
    # Everything this process holds leaves the collector's view: a collection in the child
    # would otherwise walk (and so copy, page by page) the whole inherited heap.
    _gc.freeze()
    pid = os.fork()
    if pid == 0:
        try:
            tok, res = _child_stdio(stdin_fd, out_fd, err_fd, [tok_r, res_w])
            # Before the limits: RLIMIT_FSIZE would cap the copy at the output limit.
            binary = _binary_fd(built["binary"]) if built.get("binary") else -1
            _limit(
                int(lim["memory_mb"]) + built.get("extra_memory_mb", 0),
                cpu_s,
                max_out + 1,
                int(lim["max_processes"]) + built.get("extra_processes", 0),
                int(lim.get("max_open_files") or 256),
                not lim.get("cgroup"),
            )
            if code is not None:
                _python_child(code, py_test, tok, res)
            _exec_child(binary, res, built["run"], built["env"])
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
    status, seconds, cpu = _wait(pid, timeout_s)
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
    fields["cpu_ms"] = "%.3f" % (cpu * 1000)
    fields["cpu_limit_ms"] = cpu_s * 1000
    fields["overflow"] = int(out_size > max_out)
    if status is not None:
        if os.WIFSIGNALED(status):
            fields["signal"] = os.WTERMSIG(status)
        else:
            fields["exit"] = os.WEXITSTATUS(status)
    res, _, raw_flags = res.partition(b"|")
    flags = _flag_list(raw_flags)
    if flags:
        fields["flags"] = flags
    if res.startswith(b"S:"):
        fields["sentinel"] = int(res[2:] == token)
    elif res.startswith(b"R:"):
        fields["rigged"] = 1
    elif res.startswith(b"E:"):
        fields["exception"] = res[2:].decode("ascii", "replace").replace(" ", "_") or "?"
    elif res.startswith(b"X:"):
        fields["sysexit"] = 1
    _reply(fields, out, err)
    return fields, data, out, py_test is None


# --- the program ----------------------------------------------------------------------------


def _compile(argv, env, lim, memory_mb):
    """Run a compiler in BIN_DIR; returns (wait status or None on timeout, seconds, output)."""
    err_fd = _tmpfile()
    null = os.open("/dev/null", os.O_RDONLY)
    pid = os.fork()
    if pid == 0:
        try:
            _child_stdio(null, err_fd, err_fd, [])
            _limit(
                max(int(memory_mb), int(lim["memory_mb"])),
                int(lim["compile_timeout_s"]) + 1,
                COMPILE_FILE_MB << 20,
                max(64, int(lim["max_processes"])),
                1024,
            )
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    os.close(null)
    status, seconds, _ = _wait(pid, float(lim["compile_timeout_s"]))
    _kill_all()
    err, _ = _file_bytes(err_fd, STDERR_CAP)
    os.close(err_fd)
    if status is None:
        return None, seconds, b"compile timed out"
    if os.WIFSIGNALED(status):
        err += b"\ncompiler killed by signal %d" % os.WTERMSIG(status)
    return status, seconds, err


def _subst(argv):
    return [a.replace("{dir}", BIN_DIR).replace("{python}", sys.executable) for a in argv]


def build(spec, source, lim):
    """Build `source` by the host's recipe `spec` (see sandbox/languages/base.py): returns
    (what a run needs, None) or (None, the compiler's words), and seconds spent."""
    os.mkdir(BIN_DIR, 0o700)
    with open(BIN_DIR + "/" + spec["source_name"], "w", encoding="utf-8") as f:
        f.write(source)
    seconds = 0.0
    if spec["compile"]:
        status, seconds, err = _compile(
            _subst(spec["compile"]), spec["compile_env"], lim, spec["compile_memory_mb"]
        )
        if status is None or not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            _clean_workdir()
            return None, err or b"compile error", seconds
    built = {
        "run": _subst(spec["run"]),
        "env": spec["env"],
        "extra_memory_mb": int(spec["extra_memory_mb"]),
        "extra_processes": int(spec["extra_processes"]),
    }
    keep = spec["keep"]
    if isinstance(keep, str):
        with open(BIN_DIR + "/" + keep, "rb") as f:
            built["binary"] = f.read()
    else:
        files = {}
        for entry in os.scandir(BIN_DIR):
            if entry.is_file(follow_symlinks=False) and entry.name.endswith(tuple(keep)):
                with open(entry.path, "rb") as f:
                    files[entry.name] = f.read()
        built["files"] = files
    _clean_workdir()  # each test gets a fresh copy (see _binary_fd and _lay_out)
    return built, None, seconds


def _lay_out(built):
    """Write a file-run program (class files, a script) afresh in BIN_DIR for one run: what
    an earlier test changed there was removed with the rest of /tmp."""
    files = built.get("files")
    if files is None:
        return
    os.mkdir(BIN_DIR, 0o700)
    for name, data in files.items():
        fd = os.open(BIN_DIR + "/" + name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        _write_all(fd, data)
        os.close(fd)


#: Standard modules this process imports for a program that uses them, so that each test's
#: child starts with them loaded (importing `typing` in every child costs milliseconds).
#: Only modules with no side effect at import: no output, no thread, no process, nothing
#: read from the program; `random` reseeds itself in every forked child.
_PRELOADABLE = frozenset(
    (
        "abc array bisect calendar cmath collections collections.abc copy dataclasses datetime "
        "decimal enum fractions functools hashlib heapq io itertools json math numbers "
        "operator queue random re string statistics struct textwrap time types typing "
        "unicodedata"
    ).split()
)


def _preload(code):
    """Import the preloadable modules whose names the program's code uses (its imports, at
    any depth), before any child is forked."""
    names = set()
    stack = [code]
    while stack:
        c = stack.pop()
        names.update(c.co_names)
        stack.extend(k for k in c.co_consts if type(k) is type(code))
    for name in sorted(names & _PRELOADABLE):
        if name not in sys.modules:
            try:
                __import__(name)
            except BaseException:
                pass  # the program meets the same error itself


def prepare(msg):
    """Build the checker (if any) and the program once; reply `ready` with `status=ok`,
    `status=compile_error` or `status=checker_error` (the request's fault, not the program's)."""
    lim = msg["limits"]
    state = {"limits": lim}
    t0 = time.monotonic()
    checker = msg.get("checker")
    if checker is not None:
        built, err, _ = build(checker["build"], checker["source"], lim)
        if built is None:
            _reply({"op": "ready", "status": "checker_error"}, err=err[-STDERR_CAP:])
            return None
        state["checker"] = (checker, built)
    if msg["language"] == "python":
        try:
            state["python"] = compile(msg["source"], "main.py", "exec")
        except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError) as e:
            _reply({"op": "ready", "status": "compile_error"}, err=repr(e).encode()[:STDERR_CAP])
            return None
        _preload(state["python"])
        _reply({"op": "ready", "status": "ok", "time_ms": "%.3f" % ((time.monotonic() - t0) * 1e3)})
        return state
    built, err, seconds = build(msg["build"], msg["source"], lim)
    ms = "%.3f" % (seconds * 1000)
    if built is None:
        _reply({"op": "ready", "status": "compile_error", "time_ms": ms}, err=err)
        return None
    state["built"] = built
    _reply({"op": "ready", "status": "ok", "time_ms": ms})
    return state


# --- checkers -------------------------------------------------------------------------------


def run_check(state, result, answer):
    """Run the checker on one test's output (the program's processes are all dead and /tmp is
    empty: nothing of the program can see the answer or stand in for the checker's files).
    Replies `op=check` with `ran=0` when the test did not end normally (nothing to check)."""
    fields, data, out, stdio = result
    normal = fields.get("exit") == 0 and not fields["timeout"] and not fields["overflow"]
    if not (normal and stdio and "exception" not in fields):
        _reply({"op": "check", "ran": 0})
        return
    spec, built = state["checker"]
    lim = spec["limits"]
    os.mkdir(CHECK_DIR, 0o700)
    paths = {}
    for name, content in (("input", data), ("output", out), ("answer", answer)):
        paths[name] = CHECK_DIR + "/" + name
        fd = os.open(paths[name], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        _write_all(fd, content)
        os.close(fd)
    paths["feedback"] = CHECK_DIR + "/feedback/"
    os.mkdir(paths["feedback"], 0o700)
    argv = list(built["run"])
    for arg in spec["args"]:
        argv.append(paths[arg])
    stdin_fd = os.open(paths["output"] if spec["stdin"] == "output" else "/dev/null", os.O_RDONLY)
    out_fd, err_fd = _tmpfile(), _tmpfile()
    _lay_out(built)
    pid = os.fork()
    if pid == 0:
        try:
            _child_stdio(stdin_fd, out_fd, err_fd, [])
            binary = _binary_fd(built["binary"]) if built.get("binary") else -1
            _limit(
                int(lim["memory_mb"]) + built["extra_memory_mb"],
                int(lim["timeout_s"]) + 1,
                COMPILE_FILE_MB << 20,
                int(lim["max_processes"]) + built["extra_processes"],
                1024,
            )
            _exec_child(binary, 2, argv, built["env"])
        finally:
            os._exit(127)
    status, seconds, _ = _wait(pid, float(lim["timeout_s"]))
    _kill_all()
    os.close(stdin_fd)
    reply = {"op": "check", "ran": 1, "time_ms": "%.3f" % (seconds * 1000)}
    reply["timeout"] = int(status is None)
    if status is not None:
        if os.WIFSIGNALED(status):
            reply["signal"] = os.WTERMSIG(status)
        else:
            reply["exit"] = os.WEXITSTATUS(status)
    cout, _ = _file_bytes(out_fd, STDERR_CAP)
    cerr, _ = _file_bytes(err_fd, STDERR_CAP)
    os.close(out_fd)
    os.close(err_fd)
    if spec.get("feedback"):
        cout = _read_small(paths["feedback"] + "judgemessage.txt", STDERR_CAP)
        score = _read_small(paths["feedback"] + "score.txt", 64).strip()
        try:
            reply["score"] = repr(float(score)) if score else None
        except ValueError:
            reply["score"] = "bad"
        if reply["score"] is None:
            del reply["score"]
    _clean_workdir()
    _reply(reply, cout, cerr)


def _read_small(path, cap):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return b""
    try:
        return os.read(fd, cap)
    except OSError:
        return b""
    finally:
        os.close(fd)


def main():
    _no_dump()
    os.umask(0o077)
    # Python's own SIGINT handler would let a program interrupt us (PID 1 of the namespace
    # gets only the signals it handles); ignored, a signal from inside never arrives.
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    import builtins

    # `-S` skipped `site`, which is what defines exit() and quit(): programs use them.
    builtins.exit = builtins.quit = sys.exit
    try:
        if len(sys.argv) > 1:
            # Batch mode (the docker backend): the frames come from a file, which is unlinked
            # at once so the program cannot read the tests that come after its own.
            fd = os.open(sys.argv[1], os.O_RDONLY)
            os.unlink(sys.argv[1])
            _READ_AHEAD[0] = False
            os.dup2(fd, 0)
            os.close(fd)
        os.chdir(WORK)
    except OSError:
        return
    _clean_workdir()  # notes the writable places' modes before any program runs
    base = _baseline()
    # One program after another (the local backend reuses a warm sandbox): each is served
    # from this pristine process, which never runs program code, and ends with an `end`
    # frame; then everything the program started is gone and the sandbox is checked for
    # anything it could have left for the next one (see `_leftovers`).
    while True:
        try:
            msg = _read_frame()
        except (EOFError, OSError, ValueError):
            return
        if msg.get("op") == "end":  # an end with no program (nothing ran): still checked
            _end_program(base)
            continue
        state = prepare(msg)
        del msg
        if not _serve_tests(state):
            return
        _end_program(base)


def _serve_tests(state):
    """Run tests until the host's `end` frame (True) or EOF (False). After a compile error
    (`state` None) nothing runs: the host sends `end` at once."""
    while True:
        try:
            test = _read_frame()
        except (EOFError, ValueError):
            return False
        if test.get("op") == "end":
            return True
        if state is None:
            continue  # a test sent with a program that did not build: dropped unread
        try:
            result = run_test(state, test)
            if "checker" in state:
                try:
                    answer = _read_frame()["answer"].encode("utf-8", "replace")
                except (EOFError, ValueError, KeyError, TypeError):
                    return False
                run_check(state, result, answer)
                del answer
        except Exception as e:  # a harness failure (fork refused ...): say so, do not vanish
            sys.excepthook(type(e), e, e.__traceback__)
            _kill_all()
            _reply({"harness_error": type(e).__name__})
        del test


# --- between two programs -------------------------------------------------------------------

#: Kernel state a program could leave behind in its namespaces (SysV IPC, sockets, keys),
#: as lines to count. (/proc/net/tcp would walk the host's whole TCP table: 1 ms a read.)
_NAMESPACE_TABLES = (
    "/proc/sysvipc/shm",
    "/proc/sysvipc/sem",
    "/proc/sysvipc/msg",
    "/proc/net/unix",
    "/proc/net/packet",
    # IPv6 flow labels linger up to 150 s after their socket is closed (no capability needed).
    "/proc/net/ip6_flowlabel",
)
#: One line per kernel uid with keys: every sandbox of the service runs as the same host uid,
#: so while any of them (or a host process of that uid) holds a key the line is already there
#: and a program's key adds none; its figures (keys, bytes) grow instead. Any growth retires
#: the sandbox (programs never use keys); a fall is another sandbox's keys being collected.
_KEY_USERS = "/proc/key-users"


def _key_users():
    """`{uid: (keys, bytes)}` of /proc/key-users (lines `uid: usage n/ni qn/max qb/max`)."""
    users = {}
    for line in _read_small(_KEY_USERS, 65536).split(b"\n"):
        words = line.split()
        try:
            users[words[0]] = (int(words[2].split(b"/")[0]), int(words[4].split(b"/")[0]))
        except (IndexError, ValueError):
            if words:
                users[words[0]] = (-1, -1)
    return users


def _more_keys(base):
    now = _key_users()
    return any(
        uid not in base or keys > base[uid][0] or size > base[uid][1]
        for uid, (keys, size) in now.items()
    )


#: Socket counts of this network namespace (TCP in use and in TIME_WAIT, UDP, raw,
#: fragments); the allocation, memory and orphan figures are the host's, and "sockets: used"
#: counts bwrap's own set-up sockets too (unix sockets are in /proc/net/unix).
_SOCKSTATS = ("/proc/net/sockstat", "/proc/net/sockstat6")
_HOST_WIDE = frozenset((b"alloc", b"mem", b"memory", b"orphan"))
_NOT_COUNTED = frozenset((b"sockets:",))


def _sockets():
    """The namespace's socket counts, e.g. `(b"TCP:", b"inuse", b"0"), ...`."""
    counts = []
    for path in _SOCKSTATS:
        for line in _read_small(path, 65536).split(b"\n"):
            words = line.split()
            if not words or words[0] in _NOT_COUNTED:
                continue
            for i in range(1, len(words) - 1, 2):
                if words[i] not in _HOST_WIDE:
                    counts.append((words[0], words[i], words[i + 1]))
    return counts


def _lines(path):
    """Lines of a /proc file (-1 when it cannot be read)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return -1
    try:
        n = 0
        while True:
            b = os.read(fd, 65536)
            if not b:
                return n
            n += b.count(b"\n")
    except OSError:
        return -1
    finally:
        os.close(fd)


#: ioprio_get's number per machine (glibc has no wrapper for it).
_SYS_IOPRIO_GET = {"x86_64": 252, "aarch64": 31}


def _syscall(nr, *args):
    """A raw system call through the harness's own ctypes (None when there is none or no
    number for this machine): for what the os module does not offer."""
    if nr is None or not _CTYPES:
        return None
    try:
        return _CTYPES[0].call_function(_libc("syscall"), (nr, *args))
    except Exception:
        return None


def _own_attributes():
    """What another process of our uid can change about us (it may renice us, pin us to a
    CPU, lower our rlimits: the kernel checks only the uid), and our own descriptors."""
    attrs = {"nice": os.getpriority(os.PRIO_PROCESS, 0)}
    try:
        attrs["affinity"] = sorted(os.sched_getaffinity(0))
        attrs["policy"] = os.sched_getscheduler(0)
    except (AttributeError, OSError):
        pass
    if resource is not None:
        for name in sorted(dir(resource)):
            if name.startswith("RLIMIT_"):
                try:
                    attrs[name] = resource.getrlimit(getattr(resource, name))
                except (ValueError, OSError):
                    pass
    # The I/O priority too (ioprio_set checks only the uid, and every test's process inherits
    # ours); Python has no call for it, the harness's own ctypes does (never a program's).
    attrs["ioprio"] = _syscall(_SYS_IOPRIO_GET.get(os.uname().machine), 1, 0)  # WHO_PROCESS, self
    try:
        attrs["fds"] = sorted(os.listdir("/proc/self/fd"))
    except OSError:
        attrs["fds"] = None
    return attrs


def _baseline():
    """The sandbox as the first program finds it: what `_leftovers` compares against."""
    tables = {p: _lines(p) for p in _NAMESPACE_TABLES}
    keys = _key_users()
    return {"tables": tables, "keys": keys, "sockets": _sockets(), "own": _own_attributes()}


def _leftovers(base):
    """Why the sandbox is not as the first program found it ('' when it is): a process, a
    file in /tmp or /dev/shm, a SysV IPC object, a socket, a key, or a change to this
    process. POSIX message queues cannot be made (RLIMIT_MSGQUEUE is 0 in every child)."""
    try:
        os.waitpid(-1, os.WNOHANG)
        return "process"
    except ChildProcessError:
        pass
    for top in SCRATCH:
        try:
            if os.listdir(top):
                return "file"
        except OSError:
            return "file"
    # /proc/key-users lists every uid of the namespace that has a key or a keyring.
    if _more_keys(base["keys"]):
        return "key"
    for path, rows in base["tables"].items():
        if _lines(path) != rows:
            return "kernel_object"
    if _sockets() != base["sockets"]:
        return "kernel_object"
    if _own_attributes() != base["own"]:
        return "harness_changed"
    return ""


def _end_program(base):
    """After a program's last test: kill what is left, empty the writable places, and tell
    the host whether the sandbox may serve another program (`clean=1`) or must go."""
    _kill_all()
    _clean_workdir()
    why = _leftovers(base)
    _reply({"op": "end", "clean": int(not why), "why": why or "-"})


def entry():
    """Run, then leave at once: interpreter shutdown would only cost the caller time."""
    try:
        main()
    finally:
        try:
            _flush()
        except OSError:
            pass
        os._exit(0)


if __name__ == "__main__":
    entry()
