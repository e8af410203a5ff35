"""Precompiled C++ headers (sandbox/pch.py): valid for the exact flags the sandbox compiles
with, used inside the sandbox, skipped when a program makes them unusable, never a reason
for C++ to fail, and rebuilt when what they depend on changes.

GCC's `-H` prints `! <file>.gch` for a PCH it used and `x <file>.gch` for one it rejected.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import sandbox
from sandbox import Compare, Limits, Program, Test, TestStatus, VerdictStatus, languages, pch
from sandbox.languages.base import Toolchain
from sandbox.languages.native import Cpp
from sandbox.local import LocalBackend
from tests.conftest import ROOT

LIMITS = Limits(timeout_s=2.0, memory_mb=256, max_output_bytes=100_000, max_processes=16)
STDCXX = """#include <bits/stdc++.h>
using namespace std;
int main() { long long a, b; cin >> a >> b; vector<long long> v{a, b};
  cout << accumulate(v.begin(), v.end(), 0LL) << "\\n"; }
"""
IOSTREAM = """#include <iostream>
#include <map>
int main() { long long a, b; std::cin >> a >> b; std::map<int, long long> m{{0, a + b}};
  std::cout << m[0] << "\\n"; }
"""
#: The PCH cannot be used: GCC compiles the real headers. _GLIBCXX_DEBUG changes the library
#: (a checked operator[] that aborts), so a PCH used by mistake would show.
DEFINE_FIRST = """#define _GLIBCXX_DEBUG
#include <bits/stdc++.h>
using namespace std;
int main() { size_t k; cin >> k; vector<int> v(2, 7); cout << v[k] << "\\n"; }
"""
PRAGMA_FIRST = """#pragma GCC optimize("O3,unroll-loops")
#include <bits/stdc++.h>
using namespace std;
int main() { long long a, b; cin >> a >> b; cout << a + b << "\\n"; }
"""
ADD = [Test("2 3\n", "5\n"), Test("-7 1000000000000\n", "999999999993\n")]


@pytest.fixture(scope="module")
def cpp_tc() -> Toolchain:
    """This host's C++ toolchain, which must carry the PCH directory."""
    tc = languages.toolchain("cpp")
    if not tc.ok:
        pytest.skip(f"no C++ toolchain: {tc.missing}")
    assert [inside for _, inside in tc.homes] == [pch.INSIDE], tc
    return tc


@pytest.fixture
def root() -> Iterator[Path]:
    """A fresh cache root the sandbox uid can reach (pytest's tmp_path is under a 0700
    directory), removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="rewardkit-pch-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def host_compile(
    tc: Toolchain, source: str, work: Path, *extra: str
) -> subprocess.CompletedProcess:
    """Compile `source` on the host with the language's own compile argv (sandbox paths mapped
    back to the host's, as loadtests/bench_sandbox.py's plain runner does) plus `extra`."""
    lang = languages.get("cpp")
    spec = lang.spec(tc, source, 256)
    (work / spec["source_name"]).write_text(source)
    argv = []
    for a in spec["compile"]:
        for real, inside in tc.homes:
            a = a.replace(inside, real)
        argv.append(a.replace(languages.BUILD_DIR, str(work)))
    return subprocess.run([*argv, *extra], capture_output=True, text=True, env=spec["compile_env"])


def pch_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.endswith(".gch")]


# --- (a) valid for the exact flags ------------------------------------------------------------


@pytest.mark.parametrize("header", pch.HEADERS)
def test_pch_is_used_with_the_sandbox_compile_argv(
    cpp_tc: Toolchain, tmp_path: Path, header: str
) -> None:
    # Fails when Cpp.flags change without the PCH following (GCC would print `x`).
    out = host_compile(cpp_tc, f"#include <{header}>\nint main() {{}}\n", tmp_path, "-H")
    assert out.returncode == 0, out.stderr[-2000:]
    host_dir = cpp_tc.homes[0][0]
    assert pch_lines(out.stderr) == [f"! {host_dir}/{header}.gch"]


def test_compile_argv_puts_the_pch_dir_first(cpp_tc: Toolchain) -> None:
    argv = languages.get("cpp").compile_argv(cpp_tc, STDCXX, 256)
    assert argv[1:3] == ["-I", pch.INSIDE]
    assert argv[3 : 3 + len(Cpp.flags)] == list(Cpp.flags)
    # C has no PCH: its compile line is unchanged.
    c_tc = languages.toolchain("c")
    if c_tc.ok:
        assert "-I" not in languages.get("c").compile_argv(c_tc, "", 256)


# --- (b) used through sandbox.run ----------------------------------------------------------


@pytest.mark.parametrize("source", [STDCXX, IOSTREAM], ids=["bits_stdc++", "iostream"])
def test_programs_pass_through_the_sandbox(backend: LocalBackend, source: str) -> None:
    v = sandbox.run(Program("cpp", source), ADD, LIMITS, Compare())
    assert v.status is VerdictStatus.OK and v.passed == 2, v


@pytest.mark.parametrize("header", pch.HEADERS)
def test_the_sandbox_compile_uses_the_pch(
    backend: LocalBackend, monkeypatch: pytest.MonkeyPatch, header: str
) -> None:
    # The sandbox's own compile line, with -H, run by a shell inside the sandbox that keeps
    # only GCC's PCH lines and fails the build so the verdict carries them back.
    real = Cpp.compile_argv

    def probe(self: Cpp, tc: Toolchain, source: str, memory_mb: int) -> list[str]:
        cmd = shlex.join([*real(self, tc, source, memory_mb), "-H"])
        return ["/bin/sh", "-c", f"{cmd} 2>&1 | grep -F .gch; exit 1"]

    monkeypatch.setattr(Cpp, "compile_argv", probe)
    src = f"#include <{header}>\nint main() {{}}\n"
    v = sandbox.run(Program("cpp", src), [Test("", "")], LIMITS, Compare())
    assert v.status is VerdictStatus.COMPILE_ERROR
    assert v.message.split() == ["!", f"{pch.INSIDE}/{header}.gch"], v.message


# --- (c) a PCH the program makes unusable ----------------------------------------------------


def test_define_before_the_include_compiles_the_real_header(
    backend: LocalBackend, cpp_tc: Toolchain, tmp_path: Path
) -> None:
    out = host_compile(cpp_tc, DEFINE_FIRST, tmp_path, "-H")
    assert out.returncode == 0, out.stderr[-2000:]
    assert [line[0] for line in pch_lines(out.stderr)] == ["x"]  # rejected, not used
    tests = [Test("1\n", "7\n"), Test("5\n", "0\n")]
    v = sandbox.run(Program("cpp", DEFINE_FIRST), tests, LIMITS, Compare())
    assert v.status is VerdictStatus.OK, v
    assert [t.status for t in v.tests] == [TestStatus.PASSED, TestStatus.FAILED], v
    assert "out-of-bounds" in v.tests[1].message or "SIGABRT" in v.tests[1].message, v


def test_pragma_before_the_include_compiles_the_real_header(
    backend: LocalBackend, cpp_tc: Toolchain, tmp_path: Path
) -> None:
    out = host_compile(cpp_tc, PRAGMA_FIRST, tmp_path, "-H")
    assert out.returncode == 0, out.stderr[-2000:]
    assert not [line for line in pch_lines(out.stderr) if line.startswith("!")]
    v = sandbox.run(Program("cpp", PRAGMA_FIRST), ADD, LIMITS, Compare())
    assert v.status is VerdictStatus.OK and v.passed == 2, v


def test_compile_errors_read_as_without_a_pch(backend: LocalBackend) -> None:
    v = sandbox.run(Program("cpp", STDCXX + "int f() { return undeclared; }\n"), ADD, LIMITS)
    assert v.status is VerdictStatus.COMPILE_ERROR
    assert "undeclared" in v.message and ".gch" not in v.message


# --- (d) failures fall back ----------------------------------------------------------------


def test_missing_compiler_gives_no_pch(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="rewardkit.sandbox.pch"):
        assert pch.ensure("/nonexistent/g++", Cpp.flags, root=str(root)) is None
    assert "no precompiled C++ headers" in caplog.text
    assert list(root.iterdir()) == []


def test_a_root_the_sandbox_cannot_reach_gives_no_pch(
    cpp_tc: Toolchain, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The backend would call C++ missing if it could not show the directory to the sandbox.
    hidden = tmp_path / "private"
    hidden.mkdir(mode=0o700)
    with caplog.at_level(logging.WARNING, logger="rewardkit.sandbox.pch"):
        assert pch.ensure(cpp_tc.commands["cc"], Cpp.flags, ("iostream",), str(hidden)) is None
    assert "not reachable" in caplog.text


def test_bad_header_gives_no_pch_and_leaves_nothing(
    cpp_tc: Toolchain, root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cc = cpp_tc.commands["cc"]
    with caplog.at_level(logging.WARNING, logger="rewardkit.sandbox.pch"):
        assert pch.ensure(cc, Cpp.flags, ("no/such/header.h",), root=str(root)) is None
    assert "no/such/header.h" in caplog.text
    assert [p.name for p in root.iterdir() if not p.name.endswith(".lock")] == []


def test_cpp_without_a_pch_still_works(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # No cache directory to build in: the toolchain comes without the PCH, C++ still runs.
    monkeypatch.setattr(pch, "CACHE_ROOT", str(tmp_path / "missing"))
    with caplog.at_level(logging.WARNING, logger="rewardkit.sandbox.pch"):
        tc = Cpp().toolchain()
    if not tc.ok:
        pytest.skip(f"no C++ toolchain: {tc.missing}")
    assert tc.homes == () and "no precompiled C++ headers" in caplog.text
    assert "-I" not in languages.get("cpp").compile_argv(tc, STDCXX, 256)
    monkeypatch.setattr(languages, "available", lambda: {"cpp": tc})
    b = LocalBackend(pool_size=0)
    try:
        assert b.languages()["cpp"] == tc
        v = b.run(Program("cpp", STDCXX), ADD, LIMITS, Compare())
        assert (
            v.status is VerdictStatus.OK and [t.status for t in v.tests] == [TestStatus.PASSED] * 2
        )
    finally:
        b.close()


def test_damaged_cache_is_rebuilt(cpp_tc: Toolchain, root: Path) -> None:
    # A truncated .gch is a hard compile error in GCC, not a fallback: ensure must catch it.
    cc, headers = cpp_tc.commands["cc"], ("iostream",)
    first = pch.ensure(cc, Cpp.flags, headers, root=str(root))
    assert first is not None
    gch = Path(first, "iostream.gch")
    gch.write_bytes(gch.read_bytes()[:100_000])
    assert pch.ensure(cc, Cpp.flags, headers, root=str(root)) == first
    pch.check(cc, Cpp.flags, first, "iostream")  # raises unless usable again
    assert oct(Path(first).stat().st_mode & 0o777) == "0o755"
    assert oct(gch.stat().st_mode & 0o777) == "0o644"


def test_a_directory_others_can_write_is_refused(
    cpp_tc: Toolchain, root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cc, headers = cpp_tc.commands["cc"], ("iostream",)
    planted = root / f"rewardkit-pch-{pch.cache_key(cc, Cpp.flags, headers)}"
    planted.mkdir()
    planted.chmod(0o777)
    with caplog.at_level(logging.WARNING, logger="rewardkit.sandbox.pch"):
        assert pch.ensure(cc, Cpp.flags, headers, root=str(root)) is None
    assert "not a directory of ours" in caplog.text


def test_two_builders_at_once_share_one_pch(cpp_tc: Toolchain, root: Path) -> None:
    cc, headers = cpp_tc.commands["cc"], ("iostream",)
    got: list[str | None] = []
    threads = [
        threading.Thread(target=lambda: got.append(pch.ensure(cc, Cpp.flags, headers, str(root))))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got[0] is not None and got == [got[0], got[0]]
    dirs = [p.name for p in root.iterdir() if p.is_dir()]
    assert dirs == [os.path.basename(got[0])]  # no temporary directory left behind


# --- (e) the cache key and the image -------------------------------------------------------


def test_cache_key_follows_flags_headers_and_compiler(cpp_tc: Toolchain) -> None:
    cc = cpp_tc.commands["cc"]
    key = pch.cache_key(cc, Cpp.flags)
    assert pch.cache_key(cc, Cpp.flags) == key
    assert pch.cache_key(cc, ("-O2", "-std=gnu++17")) != key
    assert pch.cache_key(cc, ("-O3", "-std=gnu++20")) != key
    assert pch.cache_key(cc, Cpp.flags, ("iostream",)) != key
    gcc = languages.toolchain("c")
    if gcc.ok:  # another driver is another compiler
        assert pch.cache_key(gcc.commands["cc"], Cpp.flags) != key
    assert cpp_tc.homes[0][0].endswith(f"rewardkit-pch-{key}")


def test_image_builds_the_pch_with_the_same_flags() -> None:
    dockerfile = (ROOT / "sandbox" / "Dockerfile").read_text()
    (line,) = [x for x in dockerfile.splitlines() if "pch.py --out" in x]
    out, flags = re.match(r"RUN python3 \S+pch\.py --out (\S+) -- (.*)$", line).groups()
    assert out == pch.INSIDE
    assert tuple(flags.split()) == Cpp.flags
    tc = Cpp().image_toolchain()
    assert languages.get("cpp").compile_argv(tc, "", 256)[1:3] == ["-I", pch.INSIDE]


def test_sandbox_dockerfile_lints_clean() -> None:
    from tests.test_deploy_files import hadolint

    dockerfile = (ROOT / "sandbox" / "Dockerfile").read_text()
    out = subprocess.run(
        [hadolint(), "--no-color", "-"], input=dockerfile, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
