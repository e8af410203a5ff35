"""What the sandbox needs to know about one language: how to build a program, how to run it,
which limits need flags, and where its toolchain lives.

The harness (which runs inside the sandbox and imports nothing of ours) receives all of it in
the program message as plain data: see `Language.spec`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Where the harness builds a program and, for languages run from files, lays them out again
#: before every test (see sandbox/harness.py).
BUILD_DIR = "/tmp/.rk"
#: The environment compilers get (programs get an empty one, or the few variables a language
#: module sets on purpose).
COMPILE_ENV = {"PATH": "/usr/bin:/bin", "TMPDIR": "/tmp", "HOME": "/tmp", "LANG": "C"}


@dataclass(frozen=True)
class Toolchain:
    """A toolchain found on the host: the commands the language needs, or why it is missing.

    `homes` are host directories outside /usr the sandbox must see (read-only) for the
    commands to work, as (host path, path inside the sandbox): a JDK's config under /etc at its
    own path, a rustup toolchain under ~ at /opt/rust. `commands` are paths inside.
    """

    ok: bool
    commands: dict[str, str] = field(default_factory=dict)
    homes: tuple[tuple[str, str], ...] = ()
    version: str = ""
    missing: str = ""


class Language:
    """One language. Subclasses fill in the toolchain lookup and the build/run recipes.

    - `source_name`: the file the source is written to in `BUILD_DIR`;
    - `compile_argv`: the build command (None: nothing to build);
    - `keep`: what survives the build: a file name (a binary, exec'd from a private in-memory
      copy each test) or, for languages run from files, suffixes of the files to keep (laid out
      again in `BUILD_DIR` before each test, so no test sees what an earlier one changed);
    - `run_argv`: the command of one test (`{dir}` is `BUILD_DIR`);
    - `extra_memory_mb` / `extra_processes`: address space and threads a runtime reserves beyond
      what the program asked for (a JVM or V8 maps far more than it uses; see docs/sandbox.md);
    - `compile_memory_mb`: address space of the compiler, whatever the program's limit.
    """

    name = ""
    source_name = ""
    compile_memory_mb = 2048
    extra_memory_mb = 0
    extra_processes = 0
    keep: str | tuple[str, ...] = "prog"
    #: Commands in a standard (Debian) install, e.g. the docker image: key -> /usr/bin name.
    commands: tuple[tuple[str, str], ...] = ()

    def toolchain(self) -> Toolchain:
        """Look the toolchain up on this host (uncached: see `sandbox.languages.toolchain`)."""
        raise NotImplementedError

    def image_toolchain(self) -> Toolchain:
        """The toolchain of a standard install (the docker image: sandbox/Dockerfile)."""
        return Toolchain(True, {k: f"/usr/bin/{v}" for k, v in self.commands})

    def out_of_memory(self, signal: int, err: bytes) -> bool:
        """Whether a run that died (by `signal`, -1 for an exit) ran out of memory, judged from
        its stderr: runtimes report it in their own words."""
        return False

    def failure(self, err: bytes) -> str:
        """The line of stderr that says why a run failed (an uncaught exception, a panic), or ''."""
        return ""

    def source_file(self, source: str) -> str:
        """The file name the source must have (Java: named after its public class)."""
        return self.source_name

    def compile_argv(self, tc: Toolchain, source: str, memory_mb: int) -> list[str] | None:
        return None

    def run_argv(self, tc: Toolchain, source: str, memory_mb: int) -> list[str]:
        return ["prog"]

    def run_env(self, memory_mb: int) -> dict[str, str]:
        return {}

    def spec(self, tc: Toolchain, source: str, memory_mb: int) -> dict[str, Any]:
        """The build-and-run recipe the harness follows (plain data: marshal-able)."""
        return {
            "source_name": self.source_file(source),
            "compile": self.compile_argv(tc, source, memory_mb),
            "compile_env": dict(COMPILE_ENV),
            "compile_memory_mb": self.compile_memory_mb,
            "keep": self.keep,
            "run": self.run_argv(tc, source, memory_mb),
            "env": self.run_env(memory_mb),
            "extra_memory_mb": self.extra_memory_mb,
            "extra_processes": self.extra_processes,
        }


def find_line(err: bytes, *needles: bytes) -> str:
    """The first line of `err` containing one of `needles` (decoded, stripped, cut), or ''."""
    for line in err.decode("utf-8", "replace").splitlines():
        if any(n.decode() in line for n in needles):
            return line.strip()[:200]
    return ""


def which(*names: str, resolve: bool = True) -> str | None:
    """The first of `names` on PATH (or in /usr/bin), symlinks resolved unless `resolve` is
    false (a rustup proxy must keep its name), else None."""
    for name in names:
        found = shutil.which(name) or shutil.which(name, path="/usr/bin:/bin")
        if found:
            return os.path.realpath(found) if resolve else found
    return None


def outside_usr(path: str) -> bool:
    p = Path(path)
    return not (p == Path("/usr") or Path("/usr") in p.parents)
