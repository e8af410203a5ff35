"""C and C++: gcc / g++ build one binary, run from a private in-memory copy each test.

C++ compiles with precompiled `bits/stdc++.h` and `iostream` when they could be built (see
sandbox/pch.py): their directory comes first on the include path, bound read-only at
`pch.INSIDE` in the sandbox."""

from __future__ import annotations

import signal as _signal
import subprocess

from sandbox import pch
from sandbox.languages.base import BUILD_DIR, Language, Toolchain, find_line, which


def version(argv: list[str]) -> str:
    """First line of a tool's version output ('' when it does not answer)."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).strip().split("\n")[0][:100]
    except (OSError, subprocess.SubprocessError):
        return ""


class _Gcc(Language):
    compiler = ""
    flags: tuple[str, ...] = ()

    def toolchain(self) -> Toolchain:
        path = which(self.compiler)
        if path is None:
            return Toolchain(False, missing=self.compiler)
        return Toolchain(True, {"cc": path}, version=version([path, "-dumpfullversion"]))

    def compile_argv(self, tc: Toolchain, source: str, memory_mb: int) -> list[str]:
        src = f"{BUILD_DIR}/{self.source_name}"
        cc = [tc.commands["cc"], *self.include_dirs(tc), *self.flags]
        return [*cc, "-pipe", "-o", f"{BUILD_DIR}/prog", src, "-lm"]

    def include_dirs(self, tc: Toolchain) -> list[str]:
        """Include options before the flags (C++: the PCH directory)."""
        return []


class Cpp(_Gcc):
    name = "cpp"
    source_name = "prog.cpp"
    compiler = "g++"
    commands = (("cc", "g++"),)
    #: The PCH follows these (sandbox/pch.py keys its cache on them; the image's is built
    #: with the same, see sandbox/Dockerfile and tests/sandbox/test_sandbox_pch.py).
    flags = ("-O2", "-std=gnu++20")

    def toolchain(self) -> Toolchain:
        tc = super().toolchain()
        if not tc.ok:
            return tc
        # Built here, once per process (the toolchain lookup is cached), before the sandbox's
        # binds are fixed: seconds the first time on a host, a ~0.3 s check once cached.
        found = pch.ensure(tc.commands["cc"], self.flags)
        if found is None:
            return tc
        return Toolchain(True, tc.commands, ((found, pch.INSIDE),), tc.version)

    def image_toolchain(self) -> Toolchain:
        # sandbox/Dockerfile builds the PCH at pch.INSIDE (no bind: it is in the image).
        tc = super().image_toolchain()
        return Toolchain(True, tc.commands, ((pch.INSIDE, pch.INSIDE),), tc.version)

    def include_dirs(self, tc: Toolchain) -> list[str]:
        # First, so GCC finds <PCH dir>/bits/stdc++.h.gch before the real header; a PCH it
        # cannot use (a #define before the include) is skipped silently. No -Winvalid-pch:
        # the program's compiler messages stay those of a plain compile.
        if any(inside == pch.INSIDE for _, inside in tc.homes):
            return ["-I", pch.INSIDE]
        return []

    def out_of_memory(self, signal: int, err: bytes) -> bool:
        # An uncaught std::bad_alloc: terminate() aborts (or the stack overflows into SEGV).
        return signal in (_signal.SIGABRT, _signal.SIGSEGV) and b"bad_alloc" in err

    def failure(self, err: bytes) -> str:
        return find_line(err, b"terminate called")


class C(_Gcc):
    name = "c"
    source_name = "prog.c"
    compiler = "gcc"
    commands = (("cc", "gcc"),)
    flags = ("-O2", "-std=gnu17")
