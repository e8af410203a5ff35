"""C and C++: gcc / g++ build one binary, run from a private in-memory copy each test."""

from __future__ import annotations

import signal as _signal
import subprocess

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
        return [tc.commands["cc"], *self.flags, "-pipe", "-o", f"{BUILD_DIR}/prog", src, "-lm"]


class Cpp(_Gcc):
    name = "cpp"
    source_name = "prog.cpp"
    compiler = "g++"
    commands = (("cc", "g++"),)
    flags = ("-O2", "-std=gnu++20")

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
