"""The sandbox's seccomp filter: the program itself (through a BPF interpreter) and in bwrap."""

from __future__ import annotations

import errno
import platform

import pytest

from sandbox import Compare, Limits, Program, Test, TestStatus, seccomp
from sandbox.local import LocalBackend

REFUSE = seccomp.RET_ERRNO | errno.EPERM


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_the_filter_refuses_exactly_its_calls(machine: str) -> None:
    prog = seccomp.program(machine)
    assert prog is not None
    for arch in seccomp.MACHINES[machine]:
        refused = set(seccomp.REFUSED[arch])
        for nr in range(0, 460):
            expected = REFUSE if nr in refused else seccomp.RET_ALLOW
            assert seccomp.run(prog, nr, arch) == expected, (machine, hex(arch), nr)


def test_x32_calls_and_unknown_abis() -> None:
    prog = seccomp.program("x86_64")
    assert seccomp.run(prog, 0x40000000 + 0, seccomp.AUDIT_ARCH_X86_64) == REFUSE  # x32 read
    assert seccomp.run(prog, 0, seccomp.AUDIT_ARCH_AARCH64) == seccomp.RET_KILL_PROCESS
    assert seccomp.program("sparc64") is None


KEYS_AND_FRIENDS = r"""
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
    long r[5];
    r[0] = syscall(SYS_add_key, "user", "rk-probe", "x", 1, -4);
    r[1] = syscall(SYS_request_key, "user", "rk-probe", 0, -4);
    r[2] = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -4, 0);
    r[3] = syscall(425 /* io_uring_setup */, 1, (void *)0);
    r[4] = syscall(SYS_bpf, 0, (void *)0, 0);
    for (int i = 0; i < 5; i++)
        if (r[i] != -1 || errno != EPERM) { printf("allowed %d\n", i); return 0; }
    puts("refused");
    return 0;
}
"""


@pytest.mark.skipif(seccomp.program() is None, reason=f"no filter for {platform.machine()}")
def test_a_sandboxed_program_is_refused_keyrings_io_uring_and_bpf(backend: LocalBackend) -> None:
    v = backend.run(
        Program("c", KEYS_AND_FRIENDS),
        [Test(input="", output="refused\n")],
        Limits(timeout_s=5),
        Compare(),
    )
    assert [t.status for t in v.tests] == [TestStatus.PASSED], v
