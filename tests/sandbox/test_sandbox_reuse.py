"""Warm sandboxes serve many programs: nothing one program leaves reaches the next.

Each test runs, on a pool of ONE sandbox, a program that tries to leave something behind and
then a program that looks for it. What the harness cleans up in place (processes, files,
environment, interpreter state, descriptors, signal handlers, the mode of /tmp) must be gone
with the same sandbox serving both (`spawned` does not move); what it can only detect (SysV
IPC, keys, sockets that outlive their processes, a reniced or re-limited harness) must retire
the sandbox (`recycled` names the reason) so that the next program runs in a fresh one.
"""

from __future__ import annotations

import threading

import pytest

from sandbox import Compare, Limits, Program, SandboxUnavailable, Test, TestStatus, cancel_scope
from sandbox.cancel import Cancelled
from sandbox.local import LocalBackend
from tests.helpers.timing import HANG_S

LIMITS = Limits(timeout_s=5.0, memory_mb=256, max_output_bytes=100_000, max_processes=16)
CLEAN = [Test(input="", output="clean\n")]


@pytest.fixture
def pool() -> LocalBackend:
    """One warm sandbox reused by every program (its own per test: nothing shared)."""
    b = LocalBackend(pool_size=1, reuse=64)
    yield b
    b.close()


def run(b: LocalBackend, language: str, source: str, tests: list[Test] | None = None):
    return b.run(Program(language, source), tests or CLEAN, LIMITS, Compare())


def passed(v) -> bool:
    return [t.status for t in v.tests] == [TestStatus.PASSED] * len(v.tests)


def leave_then_look(b: LocalBackend, leave: tuple[str, str], look: tuple[str, str]):
    """Run the leaving program (its one test just has to run), then the looking one; the
    looking program's verdict and the pool's stats before and after."""
    run(b, "python", "print('warm')", [Test(input="", output="warm\n")])  # the sandbox is up
    before = b.stats()
    run(b, leave[0], leave[1], [Test(input="", output="")])
    v = run(b, look[0], look[1])
    return v, before, b.stats()


def same_sandbox(before: dict, after: dict) -> bool:
    return after["spawned"] == before["spawned"] and not after["recycled"]


# --- cleaned in place: the same sandbox serves the next program ------------------------------

#: A program that prints `clean` only if it sees nothing of an earlier program.
LOOK_PY = r"""
import os, signal, sys, json
seen = []
pids = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid())]
if pids: seen.append(('processes', pids))
for top in ('/tmp', '/dev/shm'):
    try:
        if os.listdir(top): seen.append((top, os.listdir(top)))
    except OSError as e:
        seen.append((top, str(e)))
    if os.stat(top).st_mode & 0o777 not in (0o755, 0o777, 0o1777):
        seen.append((top, oct(os.stat(top).st_mode)))
try:  # room on the tmpfs again (files under the output limit, which bounds file size)
    for i in range(100):
        open('/tmp/probe%d' % i, 'w').write('x' * 90_000)
    for i in range(100):
        os.unlink('/tmp/probe%d' % i)
except OSError as e:
    seen.append(('tmpfs full', str(e)))
if any(k.startswith('RK_') for k in os.environ): seen.append(('env', dict(os.environ)))
if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL: seen.append('sigterm handler')
if signal.getsignal(signal.SIGINT) is not signal.default_int_handler: seen.append('sigint')
if json.dumps([1]) != '[1]' or hasattr(json, 'rk_planted'): seen.append('json patched')
if 'rk_planted' in sys.modules or hasattr(__builtins__, 'rk_planted'): seen.append('planted')
if sys.path != [p for p in sys.path if not p.startswith('/tmp')]: seen.append('sys.path')
fds = sorted(int(f) for f in os.listdir('/proc/self/fd'))
if len(fds) > 6: seen.append(('fds', fds))
if os.getpriority(os.PRIO_PROCESS, 0) != 0: seen.append('nice')
for top in ('/tmp', '/dev/shm'):  # data kept in the mount points' own metadata
    st = os.stat(top)
    if os.listxattr(top): seen.append((top, os.listxattr(top)))
    if 987654321 in (int(st.st_mtime), int(st.st_atime)): seen.append((top, 'times'))
print('clean' if not seen else seen)
"""

LEAVE_DAEMON = r"""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in range(3): os.close(fd)
        while True:
            open('/tmp/daemon-was-here', 'w').write(str(os.getpid()))
            time.sleep(0.001)
    os._exit(0)
time.sleep(0.05)
"""

LEAVE_FILES = r"""
import os, socket
os.makedirs('/tmp/.hidden/deep/er', exist_ok=True)
open('/tmp/.hidden/deep/er/f', 'w').write('secret')
os.chmod('/tmp/.hidden/deep/er', 0)
os.chmod('/tmp/.hidden', 0o500)
open('/dev/shm/sem.rk', 'w').write('x')
os.mkfifo('/tmp/fifo')
s = socket.socket(socket.AF_UNIX); s.bind('/tmp/sock')
os.symlink('/tmp/.hidden', '/tmp/link')
os.chmod('/tmp', 0o500)   # the program owns the mount point
"""

LEAVE_FULL_TMPFS = r"""
import os
try:  # files under the output limit (the largest file a program may write), until ENOSPC
    for i in range(100_000):
        with open('/tmp/fill%d' % i, 'wb') as f:
            f.write(b'x' * 90_000)
except OSError:
    pass
"""

LEAVE_STATE = r"""
import os, signal, sys, json, builtins, atexit
os.environ['RK_SECRET'] = '1'; os.putenv('RK_SECRET2', '1')
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
json.dumps = lambda *a, **k: 'patched'; json.rk_planted = 1
sys.modules['rk_planted'] = json; builtins.rk_planted = 1
sys.path.insert(0, '/tmp')
open('/tmp/json.py', 'w').write('dumps = lambda *a, **k: "planted"')
for i in range(20): os.open('/dev/null', os.O_RDONLY)
atexit.register(lambda: open('/tmp/atexit', 'w').write('x'))
try:
    os.kill(1, signal.SIGINT); os.kill(1, signal.SIGTERM); os.kill(1, signal.SIGSTOP)
except OSError:
    pass
"""


LEAVE_METADATA = r"""
import os
for top in ('/tmp', '/dev/shm'):
    os.setxattr(top, 'user.rk', b'secret')   # the program owns the mount points
    os.utime(top, (987654321, 987654321))
"""


@pytest.mark.parametrize(
    "leave",
    [LEAVE_DAEMON, LEAVE_FILES, LEAVE_FULL_TMPFS, LEAVE_STATE, LEAVE_METADATA],
    ids=["daemon", "files", "full_tmpfs", "interpreter_state", "mount_point_metadata"],
)
def test_cleaned_in_place(pool: LocalBackend, leave: str) -> None:
    v, before, after = leave_then_look(pool, ("python", leave), ("python", LOOK_PY))
    assert passed(v), v
    assert same_sandbox(before, after), (before, after)


def test_native_daemon_then_python(pool: LocalBackend) -> None:
    leave = (
        "#include <unistd.h>\n#include <stdio.h>\n"
        "int main(){ if (fork()==0){ setsid(); if(fork()==0){ for(;;){ FILE*f=fopen("
        '"/dev/shm/x","w"); if(f){fputs("x",f);fclose(f);} usleep(100);} } _exit(0);} '
        "usleep(20000); return 0; }\n"
    )
    v, before, after = leave_then_look(pool, ("c", leave), ("python", LOOK_PY))
    assert passed(v), v
    assert same_sandbox(before, after), (before, after)


def test_python_after_python_sees_no_module_changes_on_disk(pool: LocalBackend) -> None:
    # The interpreter's own files are read-only; a planted module in /tmp is gone.
    leave = (
        "import os, json\n"
        "for d in (os.path.dirname(json.__file__), os.path.dirname(os.__file__)):\n"
        "    try: open(os.path.join(d, 'rk_evil.py'), 'w').write('x = 1')\n"
        "    except OSError: pass\n"
        "os.makedirs('/tmp/site', exist_ok=True)\n"
        "open('/tmp/site/rk_evil.py', 'w').write('x = 1')\n"
    )
    look = (
        "try:\n    import rk_evil\n    print('planted')\nexcept ImportError:\n    print('clean')\n"
    )
    v, before, after = leave_then_look(pool, ("python", leave), ("python", look))
    assert passed(v), v
    assert same_sandbox(before, after), (before, after)


# --- detected: the sandbox is retired, the next program gets a fresh one ---------------------

SYSV_LEAVE = (
    "#include <sys/shm.h>\n#include <sys/msg.h>\n#include <sys/sem.h>\n#include <string.h>\n"
    "int main(){ int id = shmget(4242, 4096, IPC_CREAT|0666); char *p = shmat(id, 0, 0);"
    ' strcpy(p, "secret"); msgget(4243, IPC_CREAT|0666); semget(4244, 1, IPC_CREAT|0666);'
    " return 0; }\n"
)
SYSV_LOOK = (
    "#include <sys/shm.h>\n#include <sys/msg.h>\n#include <sys/sem.h>\n#include <stdio.h>\n"
    "int main(){ int seen = shmget(4242, 0, 0) >= 0 || msgget(4243, 0) >= 0"
    ' || semget(4244, 0, 0) >= 0; puts(seen ? "seen" : "clean"); }\n'
)
MQUEUE_LEAVE = (
    "#include <mqueue.h>\n#include <fcntl.h>\n#include <stdio.h>\n"
    'int main(){ mqd_t q = mq_open("/rk", O_CREAT|O_RDWR, 0666, NULL);'
    ' if (q != (mqd_t)-1) mq_send(q, "secret", 6, 0); return 0; }\n'
)
MQUEUE_LOOK = (
    "#include <mqueue.h>\n#include <fcntl.h>\n#include <stdio.h>\n"
    'int main(){ puts(mq_open("/rk", O_RDONLY) == (mqd_t)-1 ? "clean" : "seen"); }\n'
)
KEY_LEAVE = (
    "#include <unistd.h>\n#include <sys/syscall.h>\n"
    'int main(){ syscall(SYS_add_key, "user", "rk-secret", "hello", 5, -4); return 0; }\n'
)
KEY_LOOK = (
    "#include <unistd.h>\n#include <sys/syscall.h>\n#include <stdio.h>\n"
    'int main(){ long k = syscall(SYS_request_key, "user", "rk-secret", 0, -4);'
    ' puts(k >= 0 ? "seen" : "clean"); }\n'
)
# A listening abstract socket sent over a socket pair to itself, every descriptor closed:
# it outlives the process that made it (an in-flight reference) until the kernel's
# collector runs.
SOCKET_LEAVE = r"""
import socket, array
srv = socket.socket(socket.AF_UNIX); srv.bind('\0rk-left'); srv.listen()
a, b = socket.socketpair()
a.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [srv.fileno(), a.fileno(), b.fileno()]))])
"""
SOCKET_LOOK = r"""
import socket
s = socket.socket(socket.AF_UNIX)
try:
    s.connect('\0rk-left'); print('seen')
except OSError:
    print('clean')
"""
HARNESS_LEAVE = r"""
import os, resource
for how in (lambda: os.setpriority(os.PRIO_PROCESS, 1, 7),
            lambda: os.sched_setaffinity(1, {0}),
            lambda: resource.prlimit(1, resource.RLIMIT_NOFILE, (12, 12)),
            lambda: resource.prlimit(1, resource.RLIMIT_CPU, (2, 2))):
    try: how()
    except OSError: pass
"""
HARNESS_LOOK = r"""
import os, resource
seen = []
if os.getpriority(os.PRIO_PROCESS, 0) != 0: seen.append('nice')
if len(os.sched_getaffinity(0)) != os.cpu_count(): seen.append('affinity')
if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 64: seen.append('nofile')
if resource.getrlimit(resource.RLIMIT_CPU)[0] < 5: seen.append('cpu')
print('clean' if not seen else seen)
"""


@pytest.mark.parametrize(
    ("leave", "look", "reason"),
    [
        (("c", SYSV_LEAVE), ("c", SYSV_LOOK), "leftover_kernel_object"),
        (("python", SOCKET_LEAVE), ("python", SOCKET_LOOK), "leftover_kernel_object"),
        (("python", HARNESS_LEAVE), ("python", HARNESS_LOOK), "leftover_harness_changed"),
    ],
    ids=["sysv_ipc", "in_flight_socket", "harness_reniced_and_limited"],
)
def test_detected_and_retired(pool: LocalBackend, leave, look, reason: str) -> None:
    v, before, after = leave_then_look(pool, leave, look)
    assert passed(v), v
    assert after["recycled"].get(reason) == 1, after
    assert after["spawned"] == before["spawned"] + 1


@pytest.mark.parametrize(
    ("leave", "look"),
    [(MQUEUE_LEAVE, MQUEUE_LOOK), (KEY_LEAVE, KEY_LOOK)],
    ids=["message_queue", "keyring"],
)
def test_what_cannot_be_made_at_all(pool: LocalBackend, leave: str, look: str) -> None:
    # POSIX message queues: RLIMIT_MSGQUEUE is 0. Keys: the seccomp filter refuses the
    # keyring calls (a key belongs to the host uid, not to the sandbox: it would outlive it).
    v, before, after = leave_then_look(pool, ("c", leave), ("c", look))
    assert passed(v), v
    assert same_sandbox(before, after), (before, after)


# --- the pool's own rules ---------------------------------------------------------------------


def test_a_sandbox_serves_at_most_reuse_programs() -> None:
    b = LocalBackend(pool_size=1, reuse=3)
    try:
        for _ in range(7):
            assert passed(run(b, "python", "print('clean')"))
        s = b.stats()
        assert s["programs"] == 7
        assert s["recycled"] == {"limit": 2}
        assert s["spawned"] >= 3
    finally:
        b.close()


def test_a_timeout_keeps_the_sandbox(pool: LocalBackend) -> None:
    # The harness kills a program at its time limit itself: nothing doubtful, no recycle.
    quick = Limits(timeout_s=0.5, memory_mb=256, max_processes=16)
    src = "import time\ntime.sleep(3600)"
    v = pool.run(Program("python", src), [Test(input="", output="")], quick, Compare())
    assert v.tests[0].status is TestStatus.TIMEOUT
    assert passed(run(pool, "python", LOOK_PY))
    s = pool.stats()
    assert s["programs"] == 2 and s["recycled"] == {} and s["spawned"] == 1


def test_compile_errors_and_failures_keep_the_sandbox(pool: LocalBackend) -> None:
    run(pool, "python", "print('clean')")
    before = pool.stats()
    run(pool, "python", "def (", [Test(input="", output="")])
    run(pool, "c", "int main( {", [Test(input="", output="")])
    run(pool, "python", "raise ValueError", [Test(input="", output="")])
    assert passed(run(pool, "python", LOOK_PY))
    assert same_sandbox(before, pool.stats()), (before, pool.stats())


def test_a_cancelled_run_retires_its_sandbox(pool: LocalBackend) -> None:
    event = threading.Event()
    timer = threading.Timer(0.5, event.set)
    timer.start()
    with cancel_scope(event), pytest.raises(Cancelled):
        run(pool, "python", "import time\ntime.sleep(3600)", [Test(input="", output="")])
    timer.cancel()
    assert passed(run(pool, "python", LOOK_PY))
    assert pool.stats()["recycled"] == {"killed": 1}


def test_a_pool_that_cannot_start_sandboxes_says_why() -> None:
    b = LocalBackend(pool_size=1, bwrap="/nonexistent/bwrap")
    done = threading.Event()
    try:
        with pytest.raises(SandboxUnavailable, match="bwrap"):
            try:
                run(b, "python", "print('clean')")
            finally:
                done.set()
        assert done.wait(HANG_S)
    finally:
        b.close()


def test_runs_wait_for_a_free_sandbox(pool: LocalBackend) -> None:
    # Four runs at once on a pool of one: each waits its turn, all pass, one sandbox.
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(passed(run(pool, "python", LOOK_PY))))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(HANG_S)
    assert results == [True] * 4
    assert pool.stats()["spawned"] == 1, pool.stats()
