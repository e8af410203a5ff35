"""Hostile programs: each test asserts the attack was contained, not just that it "failed".

Many programs report on their own attack: they print `contained` only when every attempt was
refused, and the test expects that line. Where the host can look for itself (files, processes,
timing) it does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from sandbox import Compare, Limits, Program, Test, TestStatus, VerdictStatus
from sandbox.local import LocalBackend
from tests.helpers.timing import HANG_S, wait_until
from tests.sandbox.helpers import FAST, host_processes, run_cpp, run_py

CONTAINED = Test(input="", output="contained\n")


def statuses(verdict) -> list[TestStatus]:
    return [t.status for t in verdict.tests]


# --- time ----------------------------------------------------------------------------------


def test_infinite_loop_times_out_and_next_test_still_runs(backend: LocalBackend) -> None:
    src = "import sys\nif sys.stdin.read() == 'loop':\n    while True: pass\nprint('ok')"
    t0 = time.monotonic()
    v = run_py(backend, src, [Test(input="loop", output="ok"), Test(input="", output="ok")])
    assert statuses(v) == [TestStatus.TIMEOUT, TestStatus.PASSED]
    assert v.tests[0].time_ms >= 900  # it ran until the limit, then was stopped
    assert time.monotonic() - t0 < HANG_S


def test_sleep_past_timeout(backend: LocalBackend) -> None:
    t0 = time.monotonic()
    v = run_py(backend, "import time\ntime.sleep(3600)\nprint('contained')")
    assert statuses(v) == [TestStatus.TIMEOUT]
    assert time.monotonic() - t0 < HANG_S


def test_busy_threads_cannot_outrun_the_cpu_limit(backend: LocalBackend) -> None:
    src = (
        "import threading\n"
        "def spin():\n    while True: pass\n"
        "ts = [threading.Thread(target=spin) for _ in range(8)]\n"
        "for t in ts: t.start()\n"
        "for t in ts: t.join()\n"
    )
    t0 = time.monotonic()
    v = run_py(backend, src, limits=Limits(timeout_s=1))
    assert statuses(v) == [TestStatus.TIMEOUT]
    assert time.monotonic() - t0 < HANG_S


# --- processes -----------------------------------------------------------------------------


def test_fork_bomb_is_bounded_by_max_processes(backend: LocalBackend) -> None:
    src = (
        "import os, time\n"
        "n = 0\n"
        "for _ in range(500):\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(3600); os._exit(0)\n"
        "        n += 1\n"
        "    except OSError:\n"
        "        break\n"
        "print('contained' if n < 16 else n)\n"
    )
    v = run_py(backend, src, limits=Limits(timeout_s=2, memory_mb=256, max_processes=16))
    assert statuses(v) == [TestStatus.PASSED]


def test_exponential_fork_bomb_ends_and_leaves_nothing(backend: LocalBackend) -> None:
    src = "import os\nos.execv('/usr/bin/sh', ['sh', '-c', ': rkbomb4242; b() { b | b & }; b'])\n"
    t0 = time.monotonic()
    v = run_py(backend, src, limits=Limits(timeout_s=2, memory_mb=256, max_processes=32))
    assert statuses(v)[0] in (TestStatus.TIMEOUT, TestStatus.FAILED, TestStatus.WRONG)
    assert time.monotonic() - t0 < HANG_S
    assert wait_until(lambda: host_processes(b"rkbomb4242") == [])


def test_daemon_dies_with_its_test(backend: LocalBackend) -> None:
    daemon = (
        "import os, sys\n"
        "if sys.stdin.read() == 'spawn':\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        "            os.execv('/usr/bin/sleep', ['sleep', '4242.4242'])\n"
        "        os._exit(0)\n"
        "    print('contained')\n"
        "else:\n"
        "    others = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid())]\n"
        "    print('contained' if not others else others)\n"
    )
    v = run_py(backend, daemon, [Test(input="spawn", output="contained"), CONTAINED])
    assert statuses(v) == [TestStatus.PASSED, TestStatus.PASSED]
    assert wait_until(lambda: host_processes(b"4242.4242") == [])


def test_cannot_signal_the_harness_or_host_processes(backend: LocalBackend) -> None:
    # A host process owned by the very uid the sandbox runs as: only the PID namespace keeps it
    # out of reach.
    victim = subprocess.Popen(
        ["sleep", "30"], user=65534 if os.geteuid() == 0 else None, start_new_session=True
    )
    try:
        src = (
            "import os, signal\n"
            "for pid in range(1, 70000):\n"
            "    try: os.kill(pid, signal.SIGKILL if pid != os.getpid() else 0)\n"
            "    except OSError: pass\n"
            "try: os.kill(-1, signal.SIGKILL)\n"
            "except OSError: pass\n"
            "print('still here')\n"
        )
        v = run_py(
            backend,
            src,
            [Test(input="", output="still here"), Test(code="import os; assert os.getpid() != 1")],
            limits=Limits(timeout_s=3, memory_mb=256, max_processes=16),
        )
        # Nothing it could reach died: not the harness (PID 1, test 2 ran), not the host's.
        assert statuses(v) == [TestStatus.PASSED, TestStatus.PASSED]
        assert victim.poll() is None
    finally:
        victim.kill()
        victim.wait()


def test_cannot_ptrace_or_read_the_harness(backend: LocalBackend) -> None:
    src = (
        "import os\n"
        "leaks = []\n"
        "for path in ('/proc/1/mem', '/proc/1/environ', '/proc/1/maps'):\n"
        "    try:\n"
        "        open(path, 'rb').read(1); leaks.append(path)\n"
        "    except OSError: pass\n"
        "try:\n"
        "    os.listdir('/proc/1/fd'); leaks.append('fd')\n"
        "except OSError: pass\n"
        "print('contained' if not leaks else leaks)\n"
    )
    assert statuses(run_py(backend, src)) == [TestStatus.PASSED]
    # ptrace needs native code (Python programs get no ctypes): attach, and read through
    # /proc/1/mem, which Python programs may not even open.
    native = (
        "#include <stdio.h>\n#include <fcntl.h>\n#include <unistd.h>\n#include <sys/ptrace.h>\n"
        "int main(void){ int bad = 0; char b[8];\n"
        "  if (ptrace(PTRACE_ATTACH, 1, 0, 0) == 0) bad = 1;\n"
        '  int fd = open("/proc/1/mem", O_RDONLY); if (fd >= 0 && read(fd, b, 1) >= 0) bad = 2;\n'
        '  puts(bad ? "leak" : "contained"); return 0; }\n'
    )
    v = backend.run(Program("c", native), [Test(input="", output="contained\n")], FAST, Compare())
    assert statuses(v) == [TestStatus.PASSED], v


# --- memory, output, disk ------------------------------------------------------------------


def test_memory_bomb_python(backend: LocalBackend) -> None:
    src = "a = []\nwhile True: a.append(bytearray(50 << 20))"
    v = run_py(backend, src, [CONTAINED])
    assert statuses(v) == [TestStatus.MEMORY_LIMIT]


def test_memory_bomb_cpp(backend: LocalBackend) -> None:
    src = (
        "#include <vector>\n#include <cstring>\n"
        "int main(){ std::vector<char*> v; while(true){ char* p = new char[64<<20];"
        " memset(p, 1, 64<<20); v.push_back(p);} }\n"
    )
    v = run_cpp(backend, src, [CONTAINED])
    assert statuses(v) == [TestStatus.MEMORY_LIMIT]


def test_huge_output_is_cut_at_the_cap(backend: LocalBackend) -> None:
    t0 = time.monotonic()
    v = run_py(backend, "while True: print('x' * 1000)")
    assert statuses(v) == [TestStatus.OUTPUT_LIMIT]
    cpp = '#include <cstdio>\nint main(){ for(;;) fputs("yyyyyyyyyyyyyyyy\\n", stdout); }'
    v = run_cpp(backend, cpp, [CONTAINED])
    assert statuses(v) == [TestStatus.OUTPUT_LIMIT]
    assert time.monotonic() - t0 < HANG_S


def test_huge_stderr_is_harmless(backend: LocalBackend) -> None:
    src = "import sys\nfor _ in range(10000): sys.stderr.write('e' * 1000)\nprint('contained')"
    v = run_py(backend, src)
    # stderr is a file bounded like stdout; the program only hurts itself.
    assert v.tests[0].status in (TestStatus.PASSED, TestStatus.FAILED)


def test_disk_fill_is_bounded(backend: LocalBackend) -> None:
    src = (
        "import os\n"
        "total = 0\n"
        "for d in ('/tmp', '/dev/shm', '/', '/usr', '/proc', '/dev'):\n"
        "    for i in range(1000):\n"
        "        try:\n"
        "            with open(f'{d}/fill{i}', 'wb') as f:\n"
        "                for _ in range(100): f.write(b'x' * (1 << 20)); total += 1 << 20\n"
        "        except OSError:\n"
        "            break\n"
        "print('contained' if total <= (300 << 20) else total)\n"
    )
    v = run_py(backend, src, limits=Limits(timeout_s=10, memory_mb=256))
    assert statuses(v) == [TestStatus.PASSED]


def test_writes_outside_the_sandbox_never_reach_the_host(backend: LocalBackend, tmp_path) -> None:
    target = tmp_path / "escaped"
    project = Path(__file__).resolve().parents[2] / "escaped-from-sandbox"
    src = (
        "wrote = []\n"
        f"for p in ({str(target)!r}, {str(project)!r}, '/etc/escaped', '/usr/escaped'):\n"
        "    try:\n"
        "        open(p, 'w').write('x'); wrote.append(p)\n"
        "    except OSError: pass\n"
        "print('contained' if not wrote else wrote)\n"
    )
    assert statuses(run_py(backend, src)) == [TestStatus.PASSED]
    assert not target.exists() and not project.exists()


# --- network and host view -----------------------------------------------------------------


def test_no_network(backend: LocalBackend) -> None:
    src = (
        "import socket\n"
        "ok = []\n"
        "for host, port in (('127.0.0.1', 6379), ('127.0.0.1', 8000), ('1.1.1.1', 443),"
        " ('8.8.8.8', 53)):\n"
        "    s = socket.socket(); s.settimeout(0.5)\n"
        "    try: s.connect((host, port)); ok.append((host, port))\n"
        "    except OSError: pass\n"
        "    finally: s.close()\n"
        "try: socket.getaddrinfo('pypi.org', 443); ok.append('dns')\n"
        "except OSError: pass\n"
        "try:\n"
        "    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b'x', ('8.8.8.8', 53))\n"
        "    ok.append('udp')\n"
        "except OSError: pass\n"
        "print('contained' if not ok else ok)\n"
    )
    assert statuses(run_py(backend, src)) == [TestStatus.PASSED]


def test_no_view_of_host_files_or_environment(backend: LocalBackend, monkeypatch) -> None:
    monkeypatch.setenv("REWARDKIT_TEST_SECRET", "hunter2-secret-marker")
    project = Path(__file__).resolve().parents[2]
    src = (
        "import os, glob\n"
        "seen = []\n"
        f"for p in ('/etc/shadow', '/etc/passwd', '/root', '/home', {str(project)!r},"
        f" {str(project / 'pyproject.toml')!r}, '/work', '/var', '/run', '/sys'):\n"
        "    if os.path.exists(p): seen.append(p)\n"
        "if dict(os.environ): seen.append(dict(os.environ))\n"
        "for f in glob.glob('/proc/*/environ'):\n"
        "    try:\n"
        "        if b'hunter2' in open(f, 'rb').read(): seen.append(f)\n"
        "    except OSError: pass\n"
        "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "if len(pids) > 2: seen.append(pids)\n"
        "print('contained' if not seen else seen)\n"
    )
    assert statuses(run_py(backend, src)) == [TestStatus.PASSED]


def test_no_capabilities_and_no_new_namespaces(backend: LocalBackend) -> None:
    native = (
        "#define _GNU_SOURCE\n#include <sched.h>\n#include <stdio.h>\n"
        'int main(void){ puts(unshare(CLONE_NEWUSER) == 0 ? "userns" : "contained"); }\n'
    )
    v = backend.run(Program("c", native), [Test(input="", output="contained\n")], FAST, Compare())
    assert statuses(v) == [TestStatus.PASSED], v
    src = (
        "import os\n"
        "caps = [l for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapPrm'))]\n"
        "bad = [c for c in caps if c.split()[1].strip('0')]\n"
        "if os.getuid() == 0: bad.append('root')\n"
        "try:\n"
        "    os.setuid(0); bad.append('setuid')\n"
        "except OSError: pass\n"
        "print('contained' if not bad else bad)\n"
    )
    assert statuses(run_py(backend, src)) == [TestStatus.PASSED]


# --- cheating the verdict ------------------------------------------------------------------


@pytest.mark.parametrize(
    "trick",
    [
        "import os; os._exit(0)",
        "import sys; sys.exit(0)",
        "raise SystemExit",
        "exit()",
        "import atexit, os; atexit.register(os._exit, 0); raise SystemExit(0)",
        "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
        "import threading, os; threading.Thread(target=os._exit, args=(0,)).start(); import time; time.sleep(1)",
        "import sys; sys.stdout.write('S:' + '0' * 32); sys.stdout.flush(); import os; os._exit(0)",
        "import os\nfor fd in range(3, 20):\n    try: os.write(fd, b'S:' + b'0' * 32)\n    except OSError: pass\nos._exit(0)",
    ],
)
def test_exit_tricks_before_the_asserts_fail(backend: LocalBackend, trick: str) -> None:
    program = "def f(x):\n    return x + 1\n" + trick + "\n"
    v = run_py(backend, program, [Test(code="assert f(1) == 3")])
    assert statuses(v) == [TestStatus.FAILED]


@pytest.mark.parametrize(
    "patch",
    [
        "import os; os._exit = lambda *a: None; os.write = lambda *a: 0; os.read = lambda *a: b''",
        "import builtins; builtins.BaseException = type('B', (Exception,), {}); builtins.SystemExit = Exception",
        "import builtins; builtins.AssertionError = KeyboardInterrupt",
        "import sys; sys.excepthook = lambda *a: None; sys.modules['os'] = None",
        "import builtins\n_real = builtins.__import__\nbuiltins.__import__ = lambda *a, **k: None",
        "import gc\nfor o in gc.get_objects():\n    if isinstance(o, dict) and 'token' in o: o['token'] = b'x'",
    ],
)
def test_monkeypatching_the_harness_does_not_pass_a_failing_test(
    backend: LocalBackend, patch: str
) -> None:
    program = patch + "\ndef f(x):\n    return x + 1\n"
    v = run_py(backend, program, [Test(code="assert f(1) == 3"), Test(code="assert f(1) == 2")])
    assert v.tests[0].status is not TestStatus.PASSED


def test_reading_the_frames_for_the_token_fails(backend: LocalBackend) -> None:
    # The token is not in the child's memory before the test ends: walking the stack finds
    # nothing to forge it with.
    program = (
        "import sys, os\n"
        "f = sys._getframe()\n"
        "found = []\n"
        "while f:\n"
        "    found += [v for v in f.f_locals.values() if isinstance(v, bytes) and len(v) == 32]\n"
        "    f = f.f_back\n"
        "for tok in found:\n"
        "    for fd in range(3, 10):\n"
        "        try: os.write(fd, b'S:' + tok)\n"
        "        except OSError: pass\n"
        "os._exit(0)\n"
    )
    v = run_py(backend, program, [Test(code="assert False")])
    assert statuses(v) == [TestStatus.FAILED]


def test_stdio_tests_cannot_see_expected_output(backend: LocalBackend) -> None:
    src = (
        "import gc\n"
        "hits = [o for o in gc.get_objects() if isinstance(o, (dict, list)) and"
        " 'SECRET-EXPECTED' in repr(o)[:100000]]\n"
        "print('contained' if not hits else 'leak')\n"
    )
    v = run_py(backend, src, [Test(input="", output="SECRET-EXPECTED")])
    assert statuses(v) == [TestStatus.WRONG]  # it printed `contained`, not the secret


# --- stdin ---------------------------------------------------------------------------------


def test_stdin_abuse(backend: LocalBackend) -> None:
    src = (
        "import os, sys\n"
        "data = sys.stdin.read(); again = sys.stdin.read(); raw = os.read(0, 100)\n"
        "bad = []\n"
        "try:\n"
        "    os.write(0, b'x'); bad.append('wrote stdin')\n"
        "except OSError: pass\n"
        "os.close(0)\n"
        "print('contained' if len(data) == 3_000_000 and not again and not raw and not bad else bad)\n"
    )
    big = "a" * 3_000_000
    v = run_py(backend, src, [Test(input=big, output="contained")])
    assert statuses(v) == [TestStatus.PASSED]


def test_reading_stdin_forever_ends_at_eof(backend: LocalBackend) -> None:
    src = "import sys\nfor _ in range(100000): sys.stdin.readline()\nprint('contained')"
    assert statuses(run_py(backend, src)) == [TestStatus.PASSED]


# --- compile bombs -------------------------------------------------------------------------


def test_cpp_include_dev_zero_is_bounded_by_compile_timeout(backend: LocalBackend) -> None:
    limits = Limits(timeout_s=1, memory_mb=256, compile_timeout_s=2)
    t0 = time.monotonic()
    v = run_cpp(backend, '#include "/dev/zero"\nint main(){}', [CONTAINED], limits)
    assert v.status is VerdictStatus.COMPILE_ERROR
    assert time.monotonic() - t0 < HANG_S


def test_cpp_template_bomb_is_bounded(backend: LocalBackend) -> None:
    src = (
        "template<int N> struct F { static const long v = F<N-1>::v + F<N-2>::v; };\n"
        "template<> struct F<1> { static const long v = 1; };\n"
        "template<> struct F<0> { static const long v = 0; };\n"
        "#define A(x) x x x x x x x x x x\n"
        "int main(){ return F<100000>::v; }\n"
    )
    limits = Limits(timeout_s=1, memory_mb=256, compile_timeout_s=3)
    t0 = time.monotonic()
    v = run_cpp(backend, src, [CONTAINED], limits)
    assert v.status is VerdictStatus.COMPILE_ERROR
    assert time.monotonic() - t0 < HANG_S


def test_cpp_huge_static_object_is_bounded(backend: LocalBackend) -> None:
    src = "char big[1L << 32] = {1};\nint main(){ return big[5]; }\n"
    limits = Limits(timeout_s=1, memory_mb=256, compile_timeout_s=5)
    t0 = time.monotonic()
    v = run_cpp(backend, src, [CONTAINED], limits)
    assert v.status is VerdictStatus.COMPILE_ERROR or v.tests[0].status is not TestStatus.PASSED
    assert time.monotonic() - t0 < HANG_S


# --- many at once --------------------------------------------------------------------------


def test_many_concurrent_hostile_runs(backend: LocalBackend) -> None:
    hostile = [
        "while True: pass",
        "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass",
        "import os\nos.execv('/usr/bin/sh', ['sh', '-c', ': rkconc77; while :; do sleep 77.77 & done'])",
        "a = []\nwhile True: a.append(bytearray(20 << 20))",
        "while True: print('z' * 4096)",
        "import os\nif os.fork() == 0: os.execv('/usr/bin/sleep', ['sleep', '4343.4343'])\nwhile True: pass",
    ]
    honest = "print(sum(map(int, input().split())))"
    results: dict[int, object] = {}

    def go(i: int, src: str, tests: list[Test]) -> None:
        results[i] = run_py(backend, src, tests, limits=FAST)

    threads = [
        threading.Thread(target=go, args=(i, src, [CONTAINED])) for i, src in enumerate(hostile * 2)
    ]
    threads += [
        threading.Thread(target=go, args=(100 + i, honest, [Test(input="2 3", output="5")]))
        for i in range(4)
    ]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert time.monotonic() - t0 < HANG_S
    assert len(results) == len(threads)
    for i in range(4):
        assert statuses(results[100 + i]) == [TestStatus.PASSED]
    for i in range(len(hostile) * 2):
        assert statuses(results[i])[0] is not TestStatus.PASSED
    assert wait_until(lambda: host_processes(b"rkconc77") == [] and host_processes(b"77.77") == [])
    assert host_processes(b"4343.4343") == []


def _our_bwraps() -> list[int]:
    """bwrap processes this test process started (and no one else's)."""
    me = str(os.getpid())
    pids = []
    for pid in host_processes(b"bwrap"):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == me:
            pids.append(pid)
    return pids


def test_service_survives_a_sandbox_killed_from_outside(backend: LocalBackend) -> None:
    # If the whole sandbox dies mid-run, the run reports a failure: the caller survives.
    src = (
        "import os, sys\n"
        "if sys.stdin.read() == 'slow': os.execv('/usr/bin/sleep', ['sleep', '3600.4747'])\n"
        "print('ok')"
    )

    def killer() -> None:
        # Kill once the slow test is under way (its marker process is up), not after a guess.
        wait_until(lambda: host_processes(b"3600.4747"))
        for pid in _our_bwraps():
            os.kill(pid, signal.SIGKILL)

    threading.Thread(target=killer).start()
    v = run_py(
        backend,
        src,
        [Test(input="slow", output="ok"), Test(input="", output="ok")],
        limits=Limits(timeout_s=5),
    )
    assert v.tests[0].status is TestStatus.FAILED
    assert v.tests[1].status is TestStatus.SKIPPED


# --- red team, second round ------------------------------------------------------------------


def test_no_state_survives_into_the_next_test_python(backend: LocalBackend) -> None:
    # The first test leaves marks everywhere it can write, poisons the interpreter and keeps a
    # listener and a child alive; the second test must find none of it.
    src = (
        "import builtins, os, socket, sys, time\n"
        "marks = ['/tmp/m', '/tmp/.m/m', '/dev/shm/m', '/tmp/heapq.py']\n"
        "seen = [p for p in marks if os.path.exists(p)]\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        "try:\n"
        "    s.connect('\\0rk-leak'); seen.append('socket')\n"
        "except OSError: pass\n"
        "if getattr(builtins, 'poisoned', False) or 'poison' in sys.modules: seen.append('interp')\n"
        "import heapq\n"
        "if hasattr(heapq, 'evil'): seen.append('module')\n"
        "print('contained' if not seen else seen, flush=True)\n"
        "os.makedirs('/tmp/.m', exist_ok=True)\n"
        "for p in marks: open(p, 'w').write('evil = 1\\n')\n"
        "builtins.poisoned = True; sys.modules['poison'] = sys\n"
        "l = socket.socket(socket.AF_UNIX); l.bind('\\0rk-leak'); l.listen()\n"
        "if os.fork() == 0:\n"
        "    time.sleep(3600)\n"
    )
    v = run_py(backend, src, [CONTAINED, CONTAINED, CONTAINED])
    assert statuses(v) == [TestStatus.PASSED] * 3


def test_no_state_survives_into_the_next_test_cpp(backend: LocalBackend) -> None:
    # Files in /tmp and /dev/shm, and the program's own binary (it tries to rewrite it through
    # /proc/self/exe once it no longer runs it): the next test starts clean.
    src = r"""#include <bits/stdc++.h>
#include <unistd.h>
#include <fcntl.h>
int main() {
    bool seen = access("/tmp/m", F_OK) == 0 || access("/dev/shm/m", F_OK) == 0
             || access("/tmp/.rk/prog", F_OK) == 0;
    puts(seen ? "stale" : "contained"); fflush(stdout);
    FILE* f = fopen("/tmp/m", "w"); if (f) fclose(f);
    f = fopen("/dev/shm/m", "w"); if (f) fclose(f);
    int exe = open("/proc/self/exe", O_RDONLY);
    if (fork() == 0) {  // the parent exits; then the binary is no longer running
        usleep(100000);
        char path[64]; snprintf(path, sizeof path, "/proc/self/fd/%d", exe);
        int w = open(path, O_WRONLY | O_TRUNC);
        if (w >= 0) { write(w, "#!/bin/sh\necho stale\n", 21); close(w); }
        sleep(3600);
    }
}
"""
    v = run_cpp(backend, src, [CONTAINED, CONTAINED], Limits(timeout_s=0.5, memory_mb=256))
    assert statuses(v) == [TestStatus.PASSED] * 2


def test_stopping_itself_or_the_harness(backend: LocalBackend) -> None:
    src = (
        "import os, signal, sys\n"
        "what = sys.stdin.read()\n"
        "if what == 'self':\n"
        "    os.kill(os.getpid(), signal.SIGSTOP)\n"
        "elif what == 'harness':\n"
        "    for s in (signal.SIGSTOP, signal.SIGTSTP, signal.SIGTERM, signal.SIGKILL):\n"
        "        for pid in (1, -1, 0, os.getppid()):\n"
        "            try: os.kill(pid, s)\n"
        "            except OSError: pass\n"
        "print('contained')\n"
    )
    tests = [Test("self", "contained"), Test("harness", "contained"), Test("", "contained")]
    v = run_py(backend, src, tests)
    assert statuses(v)[0] is TestStatus.TIMEOUT
    # kill(-1)/kill(0) also hit the program itself: the harness survived and runs the next test.
    assert statuses(v)[2] is TestStatus.PASSED


def test_orphans_writing_after_the_test_are_not_counted(backend: LocalBackend) -> None:
    src = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    time.sleep(0.3)\n"
        "    print('late', flush=True)\n"
        "    time.sleep(3600)\n"
        "print('contained')\n"
    )
    t0 = time.monotonic()
    v = run_py(backend, src, [CONTAINED, CONTAINED])
    assert statuses(v) == [TestStatus.PASSED, TestStatus.PASSED]
    assert time.monotonic() - t0 < HANG_S


def test_fake_reply_header_in_stdout_is_just_output(backend: LocalBackend) -> None:
    src = (
        "import sys\n"
        "sys.stdout.write('time_ms=1 timeout=0 overflow=0 exit=0 sentinel=1 out=10 err=0\\n')\n"
        "sys.stdout.write('contained\\n' * 3)\n"
        "sys.stderr.write('op=ready status=ok out=0 err=0\\n')\n"
    )
    v = run_py(backend, src, [CONTAINED, Test(code="assert False")])
    assert statuses(v) == [TestStatus.WRONG, TestStatus.FAILED]


def test_raising_limits_is_refused(backend: LocalBackend) -> None:
    # Address space is bounded per process only when no cgroup counts the run's memory.
    bounded = "r.RLIMIT_NPROC, r.RLIMIT_FSIZE, r.RLIMIT_CPU, r.RLIMIT_NOFILE"
    if backend.accounting().startswith("rlimits"):
        bounded += ", r.RLIMIT_AS"
    src = (
        "import resource as r\n"
        "bad = []\n"
        f"for k in ({bounded}):\n"
        "    soft, hard = r.getrlimit(k)\n"
        "    if hard == r.RLIM_INFINITY: bad.append(('unbounded', k))\n"
        "    try:\n"
        "        r.setrlimit(k, (r.RLIM_INFINITY, r.RLIM_INFINITY)); bad.append(k)\n"
        "    except (ValueError, OSError): pass\n"
        "    try:\n"
        "        r.setrlimit(k, (hard, hard))\n"  # up to the hard limit is allowed: it is bounded
        "    except (ValueError, OSError): pass\n"
        "print('contained' if not bad else bad)\n"
    )
    assert statuses(run_py(backend, src)) == [TestStatus.PASSED]


@pytest.mark.parametrize(
    "trick",
    [
        "import os; os.close(1)",
        "import os\nfor fd in range(3, 64):\n    try: os.dup2(fd, 1)\n    except OSError: pass",
        "import os; os.dup2(os.open('/dev/null', os.O_WRONLY), 1)",
    ],
)
def test_redirecting_stdout_cannot_reach_the_harness(backend: LocalBackend, trick: str) -> None:
    # stdout can only be lost, never pointed at the harness's reply pipe; the run goes on.
    body = "\n".join("    " + line for line in trick.splitlines())
    src = "if input() == 'trick':\n" + body + "\nprint('contained', flush=True)\n"
    v = run_py(backend, src, [Test("trick", "contained"), Test("plain", "contained")])
    assert v.tests[0].status in (TestStatus.WRONG, TestStatus.FAILED)
    assert v.tests[1].status is TestStatus.PASSED


def test_output_at_the_cap_and_one_past_it(backend: LocalBackend) -> None:
    cap = FAST.max_output_bytes
    py = "import sys\nsys.stdout.write('a' * int(input()))"
    cpp = "#include <cstdio>\nint main(){int n; scanf(\"%d\", &n); while (n--) putchar('a');}"
    tests = [Test(str(cap), "a" * cap), Test(str(cap + 1), "a" * (cap + 1))]
    want = [TestStatus.PASSED, TestStatus.OUTPUT_LIMIT]
    assert statuses(run_py(backend, py, tests)) == want
    assert statuses(run_cpp(backend, cpp, tests)) == want


def test_odd_output_bytes_do_not_break_the_judge(backend: LocalBackend) -> None:
    src = (
        "import sys\n"
        "mode = input()\n"
        "if mode == 'bin': sys.stdout.buffer.write(b'\\xff\\xfe\\x00contained\\n')\n"
        "else: sys.stdout.write('x' * 90000)\n"  # one long line, no newline
    )
    v = run_py(backend, src, [Test("bin", "contained"), Test("line", "x" * 90000)])
    assert statuses(v) == [TestStatus.WRONG, TestStatus.PASSED]


def test_cpp_constructor_and_system_see_only_the_sandbox(backend: LocalBackend) -> None:
    src = r"""#include <bits/stdc++.h>
__attribute__((constructor)) static void early() {
    system("ls / /tmp; cat /proc/1/environ /proc/1/cmdline /etc/passwd; id -u; env");
}
int main() {
    std::ifstream maps("/proc/self/maps"); std::string line;
    while (std::getline(maps, line)) if (line.find("/work") != std::string::npos) puts("leak");
}
"""
    v = run_cpp(backend, src, [CONTAINED])
    assert statuses(v) == [TestStatus.WRONG]
    assert v.tests[0].message == "wrong output"


def test_cpp_exponential_include_is_bounded_by_compile_timeout(backend: LocalBackend) -> None:
    # Each level includes itself twice: 2^200 inclusions before the depth limit.
    src = "#include __FILE__\n#include __FILE__\nint main(){}\n"
    limits = Limits(timeout_s=1, memory_mb=256, compile_timeout_s=2)
    t0 = time.monotonic()
    v = run_cpp(backend, src, [CONTAINED], limits)
    assert v.status is VerdictStatus.COMPILE_ERROR
    assert time.monotonic() - t0 < HANG_S


def test_many_megabytes_of_stdin(backend: LocalBackend) -> None:
    n = 30_000_000
    src = "import sys\nprint(len(sys.stdin.buffer.read()))"
    assert statuses(run_py(backend, src, [Test("x" * n, str(n))])) == [TestStatus.PASSED]


#: A program that walks the frames above it (allowed while it runs) looking for a way to read
#: raw memory: the harness's own ctypes (its world check uses it), or ctypes in sys.modules.
FRAME_WALK_FOR_CTYPES = (
    "import sys\n"
    "found = []\n"
    "f = sys._getframe(0)\n"
    "while f is not None:\n"
    "    for v in list(f.f_globals.values()) + list(f.f_locals.values()):\n"
    "        if type(v) is list and v and type(v[0]).__name__ == 'module':\n"
    "            found += [m.__name__ for m in v if 'ctypes' in m.__name__]\n"
    "        if type(v).__name__ == 'module' and 'ctypes' in v.__name__:\n"
    "            found.append(v.__name__)\n"
    "    f = f.f_back\n"
    "found += [n for n in sys.modules if 'ctypes' in n]\n"
)


def test_no_frame_leads_a_python_program_to_ctypes(backend: LocalBackend) -> None:
    stdio = FRAME_WALK_FOR_CTYPES + "print('contained' if not found else found)\n"
    assert statuses(run_py(backend, stdio)) == [TestStatus.PASSED]
    # The same walk from a program with a function test (the world check's ctypes is held
    # by the tests' world then, out of the frames' reach).
    program = FRAME_WALK_FOR_CTYPES + "def f():\n    return found\n"
    v = run_py(backend, program, [Test(code="assert f() == []")], FAST)
    assert statuses(v) == [TestStatus.PASSED], v
