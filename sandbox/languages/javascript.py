"""JavaScript on node: `node --check` is the build (syntax errors are compile errors), the heap
is capped with --max-old-space-size."""

from __future__ import annotations

from sandbox.languages.base import BUILD_DIR, Language, Toolchain, find_line, which
from sandbox.languages.native import version


class JavaScript(Language):
    name = "javascript"
    source_name = "main.js"
    keep = ("main.js",)
    compile_memory_mb = 2048
    #: V8 reserves ~700 MB of address space (code range, cages) that it never uses.
    extra_memory_mb = 1024
    #: node's own threads (V8 platform workers, libuv) beside the program's.
    extra_processes = 12

    commands = (("node", "node"),)

    def out_of_memory(self, signal: int, err: bytes) -> bool:
        # V8 aborts on a full heap; a refused reservation is a "Fatal process OOM".
        return (
            b"heap out of memory" in err
            or b"Fatal process OOM" in err
            or (b"out of memory" in err and b"FATAL ERROR" in err)
        )

    def failure(self, err: bytes) -> str:
        return find_line(err, b"Error:", b"Error [", b"Uncaught")

    def toolchain(self) -> Toolchain:
        path = which("node", "nodejs")
        if path is None:
            return Toolchain(False, missing="node")
        return Toolchain(True, {"node": path}, version=version([path, "--version"]))

    def compile_argv(self, tc: Toolchain, source: str, memory_mb: int) -> list[str]:
        return [tc.commands["node"], "--check", f"{BUILD_DIR}/main.js"]

    def run_argv(self, tc: Toolchain, source: str, memory_mb: int) -> list[str]:
        # The flags come before the script, fixed by us: NODE_OPTIONS is not set (the
        # environment is empty) and a program cannot change its own heap limit once started.
        # --stack-size (KiB) lets deep recursion use the big main-thread stack the harness
        # gives (RLIMIT_STACK is unlimited or the memory limit), within a quarter of it.
        stack_kb = max(984, min(65_536, memory_mb * 1024 // 4) - 256)
        return [
            tc.commands["node"],
            f"--max-old-space-size={memory_mb}",
            f"--stack-size={stack_kb}",
            f"{BUILD_DIR}/main.js",
        ]
