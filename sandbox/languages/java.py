"""Java: javac builds a single public class of any name (the file is named after it), the JVM
runs it with its heap capped at the memory limit and flags fixed by the harness."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sandbox.languages.base import (
    BUILD_DIR,
    Language,
    Toolchain,
    find_line,
    outside_usr,
    which,
)
from sandbox.languages.native import version

_PUBLIC_CLASS = re.compile(
    r"^\s*public\s+(?:(?:final|abstract|strictfp)\s+)*(?:class|record|enum|interface)\s+"
    r"([A-Za-z_$][\w$]*)",
    re.MULTILINE,
)
_ANY_CLASS = re.compile(r"\bclass\s+([A-Za-z_$][\w$]*)")
_MAIN = re.compile(r"\bstatic\s+(?:final\s+)?void\s+main\s*\(")
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
#: The main thread's stack (also the default of the program's own threads): deep recursion
#: is common in contest solutions. Each thread reserves (not uses) this much address space.
STACK_MB = 16


def main_class(source: str) -> str:
    """The class to run: the public top-level class, else the first class with a `main`,
    else the first class, else `Main` (javac will say what is wrong)."""
    text = _COMMENTS.sub(" ", source)
    m = _PUBLIC_CLASS.search(text)
    if m:
        return m.group(1)
    starts = [(m.start(), m.group(1)) for m in _ANY_CLASS.finditer(text)]
    for i, (pos, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        if _MAIN.search(text, pos, end):
            return name
    return starts[0][1] if starts else "Main"


class Java(Language):
    name = "java"
    keep = (".class",)
    #: javac itself is a JVM: its heap, plus the reservations of the JVM below.
    compile_memory_mb = 3072
    #: What a JVM maps beyond its heap and never touches: the modules image (~130 MB), code
    #: cache, class space, metaspace reservations, and a STACK_MB stack per Java thread.
    extra_memory_mb = 768
    #: GC, JIT compiler and service threads.
    extra_processes = 24

    commands = (("java", "java"), ("javac", "javac"))

    def out_of_memory(self, signal: int, err: bytes) -> bool:
        # "OutOfMemoryError: unable to create native thread" is the process limit, not memory.
        err = err.replace(b"OutOfMemoryError: unable to create native thread", b"")
        return (
            b"java.lang.OutOfMemoryError" in err
            or b"insufficient memory for the Java Runtime" in err
            or b"Could not reserve enough space" in err
        )

    def failure(self, err: bytes) -> str:
        return find_line(err, b"unable to create native thread", b"Exception in thread", b"Error: ")

    def toolchain(self) -> Toolchain:
        java, javac = which("java"), which("javac")
        if java is None or javac is None:
            return Toolchain(False, missing="javac" if java else "java")
        home = Path(javac).parent.parent
        # Debian's JDK keeps its configuration under /etc (lib/jvm.cfg is a symlink there):
        # the sandbox needs exactly those directories, nothing else of /etc.
        homes: list[tuple[str, str]] = []
        for link in ("lib/jvm.cfg", "conf/security/java.security", "conf/logging.properties"):
            target = os.path.realpath(home / link)
            if outside_usr(target) and os.path.exists(target):
                top = "/".join(target.split("/")[:3])
                if (top, top) not in homes:
                    homes.append((top, top))
        if outside_usr(str(home)):
            homes.append((str(home), str(home)))
        cmds = {"java": java, "javac": javac}
        return Toolchain(True, cmds, tuple(homes), version([javac, "-version"]))

    def source_file(self, source: str) -> str:
        return main_class(source) + ".java"

    def compile_argv(self, tc: Toolchain, source: str, memory_mb: int) -> list[str]:
        return [
            tc.commands["javac"],
            "-J-Xmx1024m",
            "-J-XX:+UseSerialGC",
            "-J-XX:TieredStopAtLevel=1",
            "-J-XX:-UsePerfData",
            "-encoding",
            "UTF-8",
            "-nowarn",
            "-d",
            BUILD_DIR,
            f"{BUILD_DIR}/{self.source_file(source)}",
        ]

    def run_argv(self, tc: Toolchain, source: str, memory_mb: int) -> list[str]:
        # Flags on the command line, before the class: the environment is empty (no
        # JAVA_TOOL_OPTIONS / JDK_JAVA_OPTIONS), and no API raises -Xmx once the JVM runs.
        return [
            tc.commands["java"],
            f"-Xmx{memory_mb}m",
            "-Xms8m",
            f"-Xss{STACK_MB}m",
            "-XX:+UseSerialGC",
            "-XX:ReservedCodeCacheSize=64m",
            "-XX:MaxMetaspaceSize=128m",
            "-XX:CompressedClassSpaceSize=64m",
            f"-XX:MaxDirectMemorySize={max(16, memory_mb // 4)}m",
            "-XX:-UsePerfData",
            "-XX:+DisableAttachMechanism",
            "-XX:-CreateCoredumpOnCrash",
            "-XX:ErrorFile=/dev/null",
            "-Djava.io.tmpdir=/tmp",
            "-cp",
            BUILD_DIR,
            main_class(source),
        ]

    def run_env(self, memory_mb: int) -> dict[str, str]:
        # glibc's per-thread malloc arenas reserve 64 MB of address space each.
        return {"MALLOC_ARENA_MAX": "2"}
