"""Precompiled C++ headers: `bits/stdc++.h` and `iostream` built once with the exact flags
the sandbox compiles C++ with, so a program that starts with one of them skips parsing it
(~1.3 s of a ~1.6 s `g++ -O2` of an a + b program here; see docs/sandbox.md).

GCC looks for `<dir>/<header>.gch` just before `<dir>/<header>` in every include directory, so
`-I <dir>` in front of the compile line is all a compile needs: when the PCH cannot be used (a
`#define` or a `#pragma` before the include, other flags) GCC skips it silently and reads the
real header. The directory holds nothing but `.gch` files.

The host's PCH lives in `/var/tmp/rewardkit-pch-<key>` (kept across service restarts), where
`<key>` hashes the compiler's identity, the flags and the header list: a compiler upgrade or a
change of `Cpp.flags` builds a new one. It is built in a temporary directory and renamed into
place (two service processes never see half a PCH), under a lock file so two processes starting
together build it once. A cached PCH is checked (one compile per header) before use: a
truncated `.gch` would be a hard compile error, not a silent fallback. Any failure logs a warning
and C++ compiles without a PCH.

Run as a script (stdlib only), it builds into a given directory: the sandbox image does that at
build time (sandbox/Dockerfile).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence

log = logging.getLogger("rewardkit.sandbox.pch")

#: The headers worth a PCH: the first include of nearly every competitive-programming C++
#: program. Measured here (`g++ -O2 -std=gnu++20`): bits/stdc++.h 124 MB, saves ~1.3 s a
#: compile; iostream 28 MB, saves ~0.15 s. vector/string/algorithm/map (15-21 MB each) save
#: ~0.1 s and are rarely first; cstdio/cstring save nothing.
HEADERS = ("bits/stdc++.h", "iostream")
#: Where the host's PCH directories live (world-readable: the sandbox uid reads them).
CACHE_ROOT = "/var/tmp"
#: Where the PCH directory appears inside the sandbox (and where the image builds it).
INSIDE = "/opt/rewardkit/pch"
#: A cached PCH of another key (older flags or compiler) unused this long is removed.
_STALE_S = 7 * 86400
#: Bump when the layout of a PCH directory changes.
_FORMAT = 1
#: The compiler's environment: nothing of the service's (CPATH, GCC_EXEC_PREFIX...) leaks in.
_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C"}
#: One header's build (seconds); a loaded 2-core host can be slow.
_TIMEOUT_S = 600


class PchError(Exception):
    """A PCH could not be built or checked (the message says why)."""


def _run(argv: Sequence[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            list(argv),
            input=stdin,
            capture_output=True,
            text=True,
            env=_ENV,
            timeout=_TIMEOUT_S,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise PchError(f"{argv[0]}: {exc}") from exc


def identity(compiler: str) -> list[str]:
    """What makes a PCH valid for `compiler` besides the flags: its real path, its full
    version line, target, and the size and mtime of its cc1plus (a rebuilt compiler of the same
    version may reject an older PCH)."""
    real = os.path.realpath(compiler)
    version = _run([real, "-v"])
    if version.returncode != 0:
        raise PchError(f"{compiler} -v failed: {version.stderr.strip()[:200]}")
    line = next((x for x in version.stderr.splitlines() if " version " in x), "")
    machine = _run([real, "-dumpmachine"]).stdout.strip()
    cc1 = _run([real, "-print-prog-name=cc1plus"]).stdout.strip()
    try:
        st = os.stat(cc1)
        cc1_id = f"{cc1}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        cc1_id = cc1
    return [real, line, machine, cc1_id]


def cache_key(compiler: str, flags: Sequence[str], headers: Sequence[str] = HEADERS) -> str:
    """The cache directory's key: a hash of the compiler's identity, `flags` and `headers`."""
    blob = json.dumps([_FORMAT, identity(compiler), list(flags), list(headers)])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _header_path(compiler: str, flags: Sequence[str], header: str) -> str:
    """The file `#include <header>` resolves to with `flags`."""
    out = _run(
        [compiler, *flags, "-x", "c++", "-E", "-H", "-o", "/dev/null", "-"],
        f"#include <{header}>\n",
    )
    for line in out.stderr.splitlines():
        if line.startswith(". "):
            return line[2:].strip()
    raise PchError(f"cannot find <{header}>: {out.stderr.strip()[:300]}")


def check(compiler: str, flags: Sequence[str], directory: str, header: str) -> None:
    """Raise PchError unless a program including `header` compiles with `-I directory` and
    GCC reports the PCH used (`! <path>` in its `-H` output)."""
    gch = os.path.join(directory, f"{header}.gch")
    src = f"#include <{header}>\nint main() {{ return 0; }}\n"
    argv = [compiler, "-I", directory, *flags, "-H", "-x", "c++", "-fsyntax-only", "-"]
    out = _run(argv, src)
    if out.returncode != 0 or f"! {gch}" not in out.stderr.splitlines():
        why = next((x for x in out.stderr.splitlines() if gch in x or "error" in x), "")
        raise PchError(f"{gch} not usable with {' '.join(flags)}: {why.strip()[:300]}")


def build(compiler: str, flags: Sequence[str], dest: str, headers: Sequence[str] = HEADERS) -> None:
    """Build `dest/<header>.gch` for every header with exactly `flags` and check each; files
    0644, directories 0755 (the sandbox uid reads them). Raises PchError."""
    for header in headers:
        source = _header_path(compiler, flags, header)
        gch = os.path.join(dest, f"{header}.gch")
        os.makedirs(os.path.dirname(gch), mode=0o755, exist_ok=True)
        out = _run([compiler, *flags, "-x", "c++-header", source, "-o", gch])
        if out.returncode != 0:
            raise PchError(f"building <{header}> failed: {out.stderr.strip()[:300]}")
        check(compiler, flags, dest, header)
    for dirpath, _, filenames in os.walk(dest):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)


def size(directory: str) -> int:
    """Bytes of the files under `directory`."""
    return sum(
        os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(directory) for f in files
    )


def _trusted(path: str) -> bool:
    """Whether `path` is a real directory of ours nobody else can write: /var/tmp is
    world-writable, and a planted PCH would change what every C++ program compiles to."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022


def reachable(path: str) -> bool:
    """Whether an unprivileged uid (the sandbox's) can reach `path`: it and every parent
    o+x. (Here, not in sandbox/local.py, which uses it too: this file runs standalone in the
    image build.)"""
    p = os.path.abspath(path)
    while True:
        try:
            if not os.stat(p).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
        if p == os.path.dirname(p):
            return True
        p = os.path.dirname(p)


def _prune(root: str, keep: str) -> None:
    """Remove our other PCH directories unused for `_STALE_S` (each is ~150 MB)."""
    now = time.time()
    for name in os.listdir(root):
        path = os.path.join(root, name)
        if not name.startswith("rewardkit-pch-") or path == keep or not _trusted(path):
            continue
        try:
            if now - os.stat(path).st_mtime > _STALE_S:
                shutil.rmtree(path, ignore_errors=True)
                log.info("removed the stale C++ PCH %s", path)
        except OSError:
            pass


@contextlib.contextmanager
def _lock(path: str) -> Iterator[None]:
    """An exclusive flock on `path` (best effort: without it two processes may both build,
    and the rename still lets only one win)."""
    fd = None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as exc:
        log.debug("no PCH lock %s: %s", path, exc)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


def ensure(
    compiler: str,
    flags: Sequence[str],
    headers: Sequence[str] = HEADERS,
    root: str | None = None,
) -> str | None:
    """The host directory holding a checked PCH of `headers` for `compiler` + `flags`, built
    on first use (cached under `root`, default `CACHE_ROOT`); None, with a warning logged, when
    it cannot be built: C++ then compiles without one."""
    root = CACHE_ROOT if root is None else root
    try:
        # Else the backend would try to mirror the directory and, failing that, call C++
        # missing: better no PCH.
        if not reachable(root):
            raise PchError(f"{root} is not reachable by the sandbox uid")
        key = cache_key(compiler, flags, headers)
        final = os.path.join(root, f"rewardkit-pch-{key}")
        with _lock(f"{final}.lock"):
            if os.path.lexists(final):
                if not _trusted(final):
                    raise PchError(f"{final} is not a directory of ours (or others can write it)")
                try:
                    for header in headers:
                        check(compiler, flags, final, header)
                    os.utime(final)  # marks it used (see _prune)
                    return final
                except PchError as exc:  # a damaged cache: build it again
                    log.warning("cached PCH %s rejected, rebuilding: %s", final, exc)
                    shutil.rmtree(final, ignore_errors=True)
            t0 = time.monotonic()
            tmp = tempfile.mkdtemp(prefix=f"rewardkit-pch-{key}.", dir=root)
            try:
                build(compiler, flags, tmp, headers)
                os.rename(tmp, final)  # atomic: a reader sees no PCH or a whole one
            except OSError as exc:
                if not _trusted(final):  # not another process's win: a real failure
                    raise PchError(f"cannot store the PCH in {root}: {exc}") from exc
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            _prune(root, final)
            log.info(
                "built the C++ PCH (%s; %s) in %s: %.1f MB in %.1f s",
                ", ".join(headers),
                " ".join(flags),
                final,
                size(final) / 1e6,
                time.monotonic() - t0,
            )
            return final
    except (PchError, OSError) as exc:  # no cache root, a full disk: C++ without a PCH
        log.warning("no precompiled C++ headers (C++ compiles without them): %s", exc)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """`python3 pch.py --out DIR [--compiler g++] -- FLAGS...`: build the PCH into DIR."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="directory to build into (created)")
    p.add_argument("--compiler", default="g++")
    p.add_argument("--header", action="append", help=f"header (repeatable; default {HEADERS})")
    p.add_argument("flags", nargs="*", help="the exact compile flags, after --")
    args = p.parse_args(argv)
    compiler = shutil.which(args.compiler) or args.compiler
    os.makedirs(args.out, mode=0o755, exist_ok=True)
    try:
        build(compiler, args.flags, args.out, tuple(args.header or HEADERS))
    except PchError as exc:
        print(f"pch: {exc}", file=sys.stderr)
        return 1
    print(f"pch: {size(args.out) / 1e6:.1f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
