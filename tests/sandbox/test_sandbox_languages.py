"""C, C++, JavaScript, Java and Rust in the sandbox: accepted, wrong answer, runtime error,
timeout, memory, output and fork bombs, deep recursion and compile errors, each language's own
way of reporting them.

One program per language dispatches on its input's first word, so a language's toolchain
compiles once for all its behaviours (javac and rustc take seconds); the last test runs after
the bombs and must pass in a clean sandbox.
"""

from __future__ import annotations

import pytest

from sandbox import Compare, Limits, Program, Test, TestStatus, VerdictStatus, languages
from sandbox.local import LocalBackend

S = TestStatus
LIMITS = Limits(timeout_s=2.0, memory_mb=256, max_output_bytes=100_000, max_processes=16)

C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static long deep(long n) { return n == 0 ? 0 : 1 + deep(n - 1); }
int main(void) {
    char cmd[16]; long a = 0, b = 0;
    if (scanf("%15s", cmd) != 1) return 2;
    if (!strcmp(cmd, "add")) { scanf("%ld %ld", &a, &b); printf("%ld\n", a + b); return 0; }
    if (!strcmp(cmd, "deep")) { scanf("%ld", &a); printf("%ld\n", deep(a)); return 0; }
    if (!strcmp(cmd, "crash")) { volatile int *p = NULL; return *p; }
    if (!strcmp(cmd, "loop")) { volatile unsigned long x = 0; for (;;) x++; }
    if (!strcmp(cmd, "mem")) { for (;;) { char *p = malloc(1 << 20); memset(p, 1, 1 << 20); } }
    if (!strcmp(cmd, "out")) { for (;;) fputs("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n", stdout); }
    if (!strcmp(cmd, "fork")) { for (;;) fork(); }
    return 3;
}
"""

CPP = r"""
#include <iostream>
#include <string>
#include <vector>
#include <unistd.h>
static long deep(long n) { return n == 0 ? 0 : 1 + deep(n - 1); }
int main() {
    std::string cmd; std::cin >> cmd; long a = 0, b = 0;
    if (cmd == "add") { std::cin >> a >> b; std::cout << a + b << "\n"; return 0; }
    if (cmd == "deep") { std::cin >> a; std::cout << deep(a) << "\n"; return 0; }
    if (cmd == "crash") { std::vector<int> v; return v.at(cmd.size()); }
    if (cmd == "loop") { volatile unsigned long x = 0; for (;;) x++; }
    if (cmd == "mem") { std::vector<std::vector<char>> v; for (;;) v.emplace_back(1 << 20, 'x'); }
    if (cmd == "out") { for (;;) std::cout << "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n"; }
    if (cmd == "fork") { for (;;) fork(); }
    return 3;
}
"""

JS = r"""
const w = require("fs").readFileSync(0, "utf8").trim().split(/\s+/);
function deep(n) { return n === 0 ? 0 : 1 + deep(n - 1); }
const cmd = w[0];
if (cmd === "add") console.log(Number(w[1]) + Number(w[2]));
else if (cmd === "deep") console.log(deep(Number(w[1])));
else if (cmd === "crash") { const o = null; console.log(o.field); }
else if (cmd === "loop") { for (;;) {} }
else if (cmd === "mem") { const a = []; for (;;) a.push(new Array(1 << 20).fill(1.5)); }
else if (cmd === "out") { const s = "y".repeat(1000) + "\n"; for (;;) process.stdout.write(s); }
else if (cmd === "fork") {
    const cp = require("child_process");
    for (;;) { try { cp.spawnSync(process.execPath, ["-e", "for(;;){}"]); } catch (e) {} }
}
else process.exit(3);
"""

JAVA = r"""
import java.io.*;
import java.util.*;

// Any public class name: the file is named after it.
public class Solution {
    static long deep(long n) { return n == 0 ? 0 : 1 + deep(n - 1); }

    public static void main(String[] args) throws Exception {
        Scanner in = new Scanner(System.in);
        String cmd = in.next();
        if (cmd.equals("add")) System.out.println(in.nextLong() + in.nextLong());
        else if (cmd.equals("deep")) System.out.println(deep(in.nextLong()));
        else if (cmd.equals("crash")) { int[] a = new int[1]; System.out.println(a[args.length + 3]); }
        else if (cmd.equals("loop")) { long x = 0; while (x >= 0) x = (x + 1) % 1000; }
        else if (cmd.equals("mem")) { List<long[]> l = new ArrayList<>(); while (l.size() >= 0) l.add(new long[1 << 17]); }
        else if (cmd.equals("out")) { PrintStream o = System.out; while (!o.checkError()) o.println("yyyyyyyyyyyyyyyyyyyyyyyy"); }
        else if (cmd.equals("fork")) {
            while (true) {
                Thread t = new Thread(() -> { try { Thread.sleep(100000); } catch (InterruptedException e) { } });
                t.setDaemon(true);
                t.start();
            }
        }
        else System.exit(3);
    }
}
"""

RUST = r"""
use std::io::{self, Read, Write};
fn deep(n: u64) -> u64 { if n == 0 { 0 } else { 1 + deep(std::hint::black_box(n - 1)) } }
fn main() {
    let mut s = String::new();
    io::stdin().read_to_string(&mut s).unwrap();
    let w: Vec<&str> = s.split_whitespace().collect();
    match w[0] {
        "add" => { let a: i64 = w[1].parse().unwrap(); let b: i64 = w[2].parse().unwrap(); println!("{}", a + b); }
        "deep" => println!("{}", deep(w[1].parse().unwrap())),
        "crash" => { let v: Vec<i32> = Vec::new(); println!("{}", v[w.len() + 3]); }
        "loop" => { let mut x: u64 = 0; loop { x = std::hint::black_box(x.wrapping_add(1)); } }
        "mem" => { let mut v: Vec<Vec<u8>> = Vec::new(); loop { v.push(vec![1u8; 1 << 20]); } }
        "out" => { let o = io::stdout(); let mut l = o.lock(); loop { l.write_all(b"yyyyyyyyyyyyyyyy\n").unwrap(); } }
        "fork" => loop { std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(100))); },
        _ => std::process::exit(3),
    }
}
"""

PROGRAMS = {"c": C, "cpp": CPP, "javascript": JS, "java": JAVA, "rust": RUST}

#: What each behaviour is, per language. C has no runtime to say it ran out of memory: with
#: rlimits only its malloc returns NULL and the program crashes on it; a cgroup's OOM kill says
#: memory_limit.
MEMORY_C_RLIMITS = S.FAILED
#: A fork bomb meets RLIMIT_NPROC: C and C++ keep retrying fork() until the time limit, node's
#: spawnSync waits on children that spin, Java and Rust fail to start a thread and die.
FORK = {"c": S.TIMEOUT, "cpp": S.TIMEOUT, "javascript": S.TIMEOUT, "java": S.FAILED}

TESTS = [
    ("add", Test("add 2 3\n", "5\n"), S.PASSED),
    ("wrong", Test("add 2 2\n", "5\n"), S.WRONG),
    ("deep", Test("deep 100000\n", "100000\n"), S.PASSED),
    ("crash", Test("crash\n", ""), S.FAILED),
    ("loop", Test("loop\n", ""), S.TIMEOUT),
    ("mem", Test("mem\n", ""), S.MEMORY_LIMIT),
    ("out", Test("out\n", ""), S.OUTPUT_LIMIT),
    ("fork", Test("fork\n", ""), S.FAILED),
    ("after", Test("add 40 2\n", "42\n"), S.PASSED),
]


def _skip_if_missing(backend: LocalBackend, language: str) -> None:
    tc = backend.languages()[language]
    if not tc.ok:  # only when detection says so: on a machine that has it, it must run
        pytest.skip(f"{language} toolchain missing here: {tc.missing}")


@pytest.mark.parametrize("language", list(PROGRAMS))
def test_every_behaviour(backend: LocalBackend, language: str) -> None:
    _skip_if_missing(backend, language)
    program = Program(language, PROGRAMS[language])
    v = backend.run(program, [t for _, t, _ in TESTS], LIMITS, Compare())
    assert v.status is VerdictStatus.OK, v.message
    want = {name: status for name, _, status in TESTS}
    cgroup = backend._cgroup_hierarchy() is not None
    want["mem"] = MEMORY_C_RLIMITS if language == "c" and not cgroup else S.MEMORY_LIMIT
    want["fork"] = FORK.get(language, S.FAILED)
    pairs = list(zip([name for name, _, _ in TESTS], v.tests, strict=True))
    got = {name: r.status for name, r in pairs}
    assert got == want, [(name, r.status.value, r.message) for name, r in pairs]
    crash = v.tests[3].message
    assert {
        "c": "SIGSEGV",
        "cpp": "out_of_range",
        "javascript": "TypeError",
        "java": "ArrayIndexOutOfBoundsException",
        "rust": "panic: index out of bounds",
    }[language] in crash, crash


COMPILE_ERRORS = {
    "c": ("int main(void) { return undefined_name; }", "undefined_name"),
    "cpp": ("int main() { return x; }", "'x' was not declared"),
    "javascript": ("function f( {\n", "SyntaxError"),
    "java": ('public class A { void f() { int x = "s"; } }', "incompatible types"),
    "rust": ('fn main() { let x: u32 = "s"; }', "mismatched types"),
}


@pytest.mark.parametrize("language", list(COMPILE_ERRORS))
def test_compile_error_keeps_the_compilers_words(backend: LocalBackend, language: str) -> None:
    _skip_if_missing(backend, language)
    source, words = COMPILE_ERRORS[language]
    v = backend.run(Program(language, source), [Test("", ""), Test("", "")], LIMITS, Compare())
    assert v.status is VerdictStatus.COMPILE_ERROR
    assert words in v.message, v.message
    assert [t.status for t in v.tests] == [S.SKIPPED, S.SKIPPED]


def test_java_runs_the_public_class_whatever_its_name(backend: LocalBackend) -> None:
    _skip_if_missing(backend, "java")
    src = (
        "class Helper { static int twice(int x) { return 2 * x; } }\n"
        "/* public class Decoy {} */\n"
        "public final class Main2 {\n"
        "  record P(int a) {}\n"
        "  public static void main(String[] a) { System.out.println(Helper.twice(new P(21).a())); }\n"
        "}\n"
    )
    v = backend.run(Program("java", src), [Test("", "42"), Test("", "42")], LIMITS, Compare())
    assert [t.status for t in v.tests] == [S.PASSED, S.PASSED], v


def test_runtimes_cannot_raise_their_own_limits(backend: LocalBackend) -> None:
    """The heap flags are fixed on the command line: node's runtime flag setter changes
    nothing, and the JVM starts with no option variables (JAVA_TOOL_OPTIONS ...) at all."""
    _skip_if_missing(backend, "javascript")
    js = (
        "const v8 = require('v8');\n"
        "v8.setFlagsFromString('--max-old-space-size=4096');\n"
        "const lim = v8.getHeapStatistics().heap_size_limit / 1048576;\n"
        "console.log(lim < 1024 ? 'capped' : 'raised ' + lim);\n"
    )
    v = backend.run(Program("javascript", js), [Test("", "capped")], LIMITS, Compare())
    assert [t.status for t in v.tests] == [S.PASSED], v
    if backend.languages()["java"].ok:
        java = (
            "public class M { public static void main(String[] a) {\n"
            "  long mb = Runtime.getRuntime().maxMemory() >> 20;\n"
            '  boolean env = System.getenv().keySet().stream().anyMatch(k -> k.contains("JAVA") || k.contains("JDK"));\n'
            '  System.out.println(mb <= 256 && !env ? "capped" : "raised " + mb + System.getenv());\n'
            "} }\n"
        )
        v = backend.run(Program("java", java), [Test("", "capped")], LIMITS, Compare())
        assert [t.status for t in v.tests] == [S.PASSED], v


def test_tests_cannot_leave_files_for_the_next(backend: LocalBackend) -> None:
    """Class files and scripts are laid out afresh for every test: one test overwriting the
    program's own files changes nothing for the next."""
    _skip_if_missing(backend, "javascript")
    js = (
        "const fs = require('fs');\n"
        "console.log('fresh');\n"
        "fs.writeFileSync(__filename, 'console.log(\"tampered\")');\n"
    )
    tests = [Test("", "fresh"), Test("", "fresh")]
    v = backend.run(Program("javascript", js), tests, LIMITS, Compare())
    assert [t.status for t in v.tests] == [S.PASSED, S.PASSED], v


def test_detection_lists_every_language() -> None:
    found = languages.available()
    assert (
        set(found)
        == set(languages.LANGUAGES)
        == {
            "python",
            "cpp",
            "c",
            "javascript",
            "java",
            "rust",
        }
    )
    for name, tc in found.items():
        assert tc.ok or tc.missing, name
