"""Red-team leftovers of warm sandboxes: what one program could leave for the next that the
checks of `tests/sandbox/test_sandbox_reuse.py` did not cover.

Same shape as there: on a pool of ONE sandbox, a program leaves something, the next looks for
it and prints `clean` only if it sees nothing. Either the harness cleans it in place (the same
sandbox serves both) or it notices and retires the sandbox (the look runs in a fresh one).
"""

from __future__ import annotations

import os
import subprocess

import pytest

from sandbox import Compare, Program, Test, TestStatus
from sandbox.local import LocalBackend
from tests.helpers.timing import HANG_S
from tests.sandbox.test_sandbox_reuse import (
    KEY_LEAVE,
    KEY_LOOK,
    LIMITS,
    leave_then_look,
    passed,
    same_sandbox,
)


@pytest.fixture
def pool() -> LocalBackend:
    """One warm sandbox reused by every program (its own per test: nothing shared)."""
    b = LocalBackend(pool_size=1, reuse=64)
    yield b
    b.close()


# A same-uid process may set another's I/O priority (the kernel checks only the uid), and
# every test's process is forked from PID 1, so it inherits what PID 1 was given.
IOPRIO_LEAVE = (
    "#include <unistd.h>\n#include <sys/syscall.h>\n"
    "int main(){ syscall(SYS_ioprio_set, 1, 1, (3 << 13) | 0); return 0; }\n"  # IDLE class
)
IOPRIO_LOOK = (
    "#include <unistd.h>\n#include <sys/syscall.h>\n#include <stdio.h>\n"
    'int main(){ long p = syscall(SYS_ioprio_get, 1, 0); puts(p == 0 ? "clean" : "seen"); }\n'
)


def test_ioprio_of_pid1_is_noticed(pool: LocalBackend) -> None:
    v, _before, after = leave_then_look(pool, ("c", IOPRIO_LEAVE), ("c", IOPRIO_LOOK))
    assert passed(v), v
    assert after["recycled"].get("leftover_harness_changed") == 1, after


# The inode flags of the mount points (tmpfs supports FS_IOC_SETFLAGS; NODUMP and NOATIME
# need no capability, and new files inherit them): kept in the mount point, which the program
# owns, like its mode, times and xattrs.
FLAGS_LEAVE = r"""
import fcntl, os, struct
for top in ('/tmp', '/dev/shm'):
    fd = os.open(top, os.O_RDONLY)
    fcntl.ioctl(fd, 0x40086602, struct.pack('l', 0x40 | 0x80))   # FS_IOC_SETFLAGS
    os.close(fd)
"""
FLAGS_LOOK = r"""
import fcntl, os, struct
seen = []
for top in ('/tmp', '/dev/shm'):
    fd = os.open(top, os.O_RDONLY)
    flags = struct.unpack('l', fcntl.ioctl(fd, 0x80086601, b'\0' * 8))[0]  # FS_IOC_GETFLAGS
    if flags: seen.append((top, hex(flags)))
print('clean' if not seen else seen)
"""


def test_inode_flags_of_mount_points_are_reset(pool: LocalBackend) -> None:
    v, before, after = leave_then_look(pool, ("python", FLAGS_LEAVE), ("python", FLAGS_LOOK))
    assert passed(v), v
    assert same_sandbox(before, after), (before, after)


# /proc/key-users has one line per uid with keys, counted by kernel uid: every sandbox of the
# service runs as the same host uid, so while any of them (or a host process of that uid)
# holds a key, the line is there before the program runs and a key the program leaves in its
# own user keyring does not add one.
HOLDER = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
add_key, keyctl = (248, 250) if os.uname().machine == 'x86_64' else (217, 219)
k = libc.syscall(add_key, b'user', b'rk-holder', b'x', 1, -4)
# The user keyrings of the host's namespace outlive this process (that namespace never ends):
# their ids now, so that they can go at the end (KEYCTL_GET_KEYRING_ID, KEYCTL_INVALIDATE).
ids = [k] + [libc.syscall(keyctl, 0, spec, 0) for spec in (-4, -5)]
print('held' if k >= 0 else 'no key', flush=True)
sys.stdin.read()
for i in ids:
    if i > 0:
        libc.syscall(keyctl, 21, i)
"""


@pytest.mark.parametrize("seccomp_filter", [True, False], ids=["refused", "backstop"])
def test_a_key_is_noticed_while_another_sandbox_holds_keys(seccomp_filter: bool) -> None:
    # With the seccomp filter (the default) the key cannot be made at all; without it the
    # /proc/key-users check (the backstop) must still see it and retire the sandbox.
    if os.uname().machine not in ("x86_64", "aarch64"):
        pytest.skip("add_key syscall number known for x86_64 and aarch64 only")
    b = LocalBackend(pool_size=1, reuse=64, seccomp_filter=seccomp_filter)
    # Another holder of keys of the sandboxes' host uid (as a concurrent sandbox would be).
    kw = {"user": b.run_as} if b.run_as is not None else {}
    holder = subprocess.Popen(
        [b.python, "-c", HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, **kw
    )
    try:
        assert holder.stdout.readline() == b"held\n"
        v, before, after = leave_then_look(b, ("c", KEY_LEAVE), ("c", KEY_LOOK))
        assert passed(v), (v, after)
        if seccomp_filter:
            assert same_sandbox(before, after), (before, after)
        else:
            assert after["recycled"].get("leftover_key") == 1, after
    finally:
        holder.stdin.close()
        holder.wait(HANG_S)
        b.close()


# /dev/pts is a devpts of the sandbox's own (bwrap's `--dev`), writable, and its root and
# `ptmx` belong to the sandbox uid: their mode and times outlive the program, and a `ptmx`
# of mode 0 takes pseudo-terminals away from the next program (`pty`, `os.openpty`).
PTS_LEAVE = r"""
import os
os.chmod('/dev/pts/ptmx', 0)
os.utime('/dev/pts/ptmx', (987654321, 987654321))
os.utime('/dev/pts', (987654321, 987654321))
os.chmod('/dev/pts', 0o500)
"""
PTS_LOOK = r"""
import os
seen = []
try:
    a, b = os.openpty(); os.close(a); os.close(b)
except OSError as e:
    seen.append(('openpty', e.errno))
for p in ('/dev/pts', '/dev/pts/ptmx'):
    st = os.stat(p)
    if 987654321 in (int(st.st_mtime), int(st.st_atime)): seen.append((p, 'times'))
if os.stat('/dev/pts').st_mode & 0o777 != 0o755: seen.append(oct(os.stat('/dev/pts').st_mode))
print('clean' if not seen else seen)
"""


def test_dev_pts_is_put_back(pool: LocalBackend) -> None:
    v, before, after = leave_then_look(pool, ("python", PTS_LEAVE), ("python", PTS_LOOK))
    assert passed(v), v
    assert same_sandbox(before, after), (before, after)


# IPv6 flow labels (IPV6_FLOWLABEL_MGR, no capability needed) linger in the network namespace
# up to 150 s after their socket is closed, listed in /proc/net/ip6_flowlabel: 20 bits each,
# for the next program to read.
FLOWLABEL_LEAVE = r"""
import socket, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for label in (0x12345, 0x54321):
    req = socket.inet_pton(socket.AF_INET6, '::1') + struct.pack('!I', label)
    # action GET, share ANY, flags CREATE, expires 0, linger 150 s
    s.setsockopt(socket.IPPROTO_IPV6, 32, req + struct.pack('=BBHHHI', 0, 255, 1, 0, 150, 0))
"""
FLOWLABEL_LOOK = r"""
rows = open('/proc/net/ip6_flowlabel').read().splitlines()[1:]
print('clean' if not rows else rows)
"""


def test_ipv6_flow_labels_are_noticed(pool: LocalBackend) -> None:
    if not os.path.exists("/proc/net/ip6_flowlabel"):
        pytest.skip("no IPv6 here")
    v, _before, after = leave_then_look(
        pool, ("python", FLOWLABEL_LEAVE), ("python", FLOWLABEL_LOOK)
    )
    assert passed(v), v
    assert after["recycled"].get("leftover_kernel_object") == 1, after


# --- function tests: a failing program made to pass ------------------------------------------

# A fork oracle. The test runs in the program's process after the function returns, so a
# function can fork, return a candidate answer in the child, and learn from the child's exit
# status whether the test passed with it (the child first points every inherited descriptor
# past stdio at /dev/null, so that what it reports goes nowhere); the parent then returns the
# winner and its own test passes. No knowledge of the harness: any in-process test runner
# whose process exits 0 on success is open to it. The program computes nothing.
FORK_ORACLE = r"""
import os
def f(x):
    for cand in range(20):
        pid = os.fork()
        if pid == 0:
            null = os.open('/dev/null', os.O_RDWR)
            for fd in range(3, 64):
                if fd != null:
                    try:
                        os.dup2(null, fd)
                    except OSError:
                        pass
            return cand
        if os.waitpid(pid, 0)[1] == 0:
            return cand
    return -1
"""


def test_a_fork_oracle_does_not_pass_function_tests(pool: LocalBackend) -> None:
    tests = [Test(code="assert f(3) == 7"), Test(code="assert f(5) == 11")]
    v = pool.run(Program("python", FORK_ORACLE), tests, LIMITS, Compare())
    assert [t.status for t in v.tests] != [TestStatus.PASSED] * 2, v
    assert "fork" in v.tests[0].flags, v


# A value of a standard-library class is trusted (its class is restored pristine), but its
# comparisons read the instance's own state, which the program set: `UserString.__eq__` is
# `self.data == other`, `Fraction.__eq__` compares `self._numerator`. A `data` or numerator
# that answers every comparison makes any expected value match (through the reflected `==`
# when the expected value is an int).
LIBRARY_OBJECT_STATE = {
    "user_string": (
        "from collections import UserString\n"
        "class Yes:\n    def __eq__(self, o): return True\n"
        "def f(x):\n    u = UserString('')\n    u.data = Yes()\n    return u\n"
    ),
    "user_list_subclass": (
        "from collections import UserList\n"
        "class Yes:\n    def __eq__(self, o): return True\n"
        "class L(UserList):\n    pass\n"
        "def f(x):\n    u = L()\n    u.data = Yes()\n    return u\n"
    ),
    "fraction_slots": (
        "from fractions import Fraction\n"
        "class Yes:\n    def __eq__(self, o): return True\n"
        "def f(x):\n    q = Fraction(1)\n    q._numerator = Yes()\n    return q\n"
    ),
}


@pytest.mark.parametrize("program", LIBRARY_OBJECT_STATE.values(), ids=LIBRARY_OBJECT_STATE)
def test_library_objects_carrying_rigged_state_are_not_trusted(
    pool: LocalBackend, program: str
) -> None:
    tests = [Test(code="assert f(3) == 7"), Test(code="assert f(3) == 'seven'")]
    v = pool.run(Program("python", program), tests, LIMITS, Compare())
    assert TestStatus.PASSED not in [t.status for t in v.tests], v


# A signal handler is handed the frame that was running when the signal came, with no audit
# event (nor for `signal.signal`, `setitimer`, or `f_back`): from the program's own frame the
# handler walks up into the test's frame while the test runs and reads the expected values
# from its code's constants.
SIGNAL_FRAMES = r"""
import signal
GOT = []
signal.signal(signal.SIGALRM, lambda sig, frame: GOT.append(frame))
def f(x):
    del GOT[:]
    signal.setitimer(signal.ITIMER_REAL, 0.000001)
    while not GOT:
        pass
    fr = GOT[0]
    while fr is not None and fr.f_code.co_filename != '<test>':
        fr = fr.f_back
    consts = list(fr.f_code.co_consts)
    return consts[consts.index(x) + 1]
"""


def test_signal_handlers_get_no_test_frames(pool: LocalBackend) -> None:
    tests = [Test(code="assert f(3) == 7"), Test(code="assert f(5) == 11")]
    v = pool.run(Program("python", SIGNAL_FRAMES), tests, LIMITS, Compare())
    assert TestStatus.PASSED not in [t.status for t in v.tests], v


def test_the_sigpipe_idiom_still_works_in_function_tests(pool: LocalBackend) -> None:
    # Contest programs reset SIGPIPE at the top: accepted (and a handler-free no-op).
    src = "import signal\nsignal.signal(signal.SIGPIPE, signal.SIG_DFL)\ndef f(x):\n    return 2 * x + 1\n"
    v = pool.run(Program("python", src), [Test(code="assert f(3) == 7")], LIMITS, Compare())
    assert [t.status for t in v.tests] == [TestStatus.PASSED], v
