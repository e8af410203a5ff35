"""Rust: rustc builds one binary (edition 2021, optimised), run like C's. A panic exits 101."""

from __future__ import annotations

import os
import subprocess

from sandbox.languages.base import BUILD_DIR, Language, Toolchain, outside_usr, which
from sandbox.languages.native import version

#: Where a toolchain outside /usr (rustup's, under $HOME) appears inside the sandbox.
SANDBOX_ROOT = "/opt/rust"


def _sysroot(rustc: str) -> str | None:
    try:
        out = subprocess.run(
            [rustc, "--print", "sysroot"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    root = out.stdout.strip()
    return root if out.returncode == 0 and os.path.isdir(root) else None


class Rust(Language):
    name = "rust"
    source_name = "main.rs"
    #: rustc + LLVM map a lot of address space.
    compile_memory_mb = 4096

    commands = (("rustc", "rustc"), ("linker", "gcc"))

    def out_of_memory(self, signal: int, err: bytes) -> bool:
        # The default allocator's failure: "memory allocation of N bytes failed", then abort.
        return b"memory allocation of" in err and b"failed" in err

    def failure(self, err: bytes) -> str:
        # A panic exits 101: "thread 'main' panicked at src:line:col:" then the message.
        lines = err.decode("utf-8", "replace").splitlines()
        for i, line in enumerate(lines):
            if "panicked at" in line:
                why = lines[i + 1].strip() if i + 1 < len(lines) else ""
                return f"panic: {why}"[:200] if why else line.strip()[:200]
        return ""

    def toolchain(self) -> Toolchain:
        found = which("rustc", resolve=False)
        if found is None:
            return Toolchain(False, missing="rustc")
        # A rustup proxy (~/.cargo/bin/rustc -> rustup) needs $HOME's settings to pick a
        # toolchain: ask it once, here, and run that toolchain's own rustc in the sandbox.
        root = _sysroot(found)
        if root is None:
            return Toolchain(False, missing="rustc (no sysroot)")
        rustc = os.path.join(root, "bin", "rustc")
        if not os.access(rustc, os.X_OK):
            return Toolchain(False, missing=f"rustc ({rustc} missing)")
        # The linker by its real path: /usr/bin/cc is a symlink through /etc/alternatives,
        # which the sandbox does not have.
        linker = which("cc", "gcc")
        if linker is None:
            return Toolchain(False, missing="cc (rustc's linker)")
        homes: tuple[tuple[str, str], ...] = ()
        inside = rustc
        if outside_usr(root):  # rustc finds its libraries from its own path: mount it aside
            homes = ((root, SANDBOX_ROOT),)
            inside = f"{SANDBOX_ROOT}/bin/rustc"
        cmds = {"rustc": inside, "linker": linker}
        return Toolchain(True, cmds, homes, version([rustc, "--version"]))

    def compile_argv(self, tc: Toolchain, source: str, memory_mb: int) -> list[str]:
        return [
            tc.commands["rustc"],
            "--edition=2021",
            "-O",
            "-C",
            "debuginfo=0",
            "-C",
            f"linker={tc.commands['linker']}",
            "--crate-name",
            "main",
            "-o",
            f"{BUILD_DIR}/prog",
            f"{BUILD_DIR}/main.rs",
        ]
