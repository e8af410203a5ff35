"""Python: compiled and run inside the harness's own interpreter (one fork per test)."""

from __future__ import annotations

import sys

from sandbox.languages.base import Language, Toolchain


class Python(Language):
    name = "python"
    source_name = "main.py"
    keep = ("main.py",)

    commands = (("python", "python3"),)

    def toolchain(self) -> Toolchain:
        # The sandbox's interpreter is chosen by the backend (it runs the harness itself).
        return Toolchain(True, {"python": sys.executable}, version=sys.version.split()[0])

    def run_argv(self, tc: Toolchain, source: str, memory_mb: int) -> list[str]:
        # Only used for checker programs: a program runs in the harness's interpreter.
        return ["{python}", "-I", "-S", "{dir}/main.py"]
