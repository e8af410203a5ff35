"""The seccomp filter of the local backend's sandboxes, as the classic BPF bwrap loads.

It refuses (EPERM) a few system calls no test needs and which would reach past the sandbox's
namespaces: the kernel keyrings (`add_key`, `request_key`, `keyctl`: keys belong to the
host uid, not to the namespace, so one sandbox's key outlives it and is visible to the
next: tests/sandbox/test_sandbox_reuse.py), and some of the kernel's largest attack
surface for an unprivileged process (`io_uring_*`, `userfaultfd`, `perf_event_open`,
`bpf`). Everything else is allowed. Docker's default profile refuses the same calls.

Written out by hand (a dozen instructions) rather than through libseccomp: no dependency,
and `tests/sandbox/test_seccomp.py` checks the program against a BPF interpreter and in a
real sandbox.
"""

from __future__ import annotations

import errno
import platform
import struct

# seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
_NR_OFFSET = 0
_ARCH_OFFSET = 4

_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
RET_KILL_PROCESS = 0x80000000

#: (audit arch, system call numbers refused) per machine, for its native ABI; and the other
#: ABIs a process there can use (i386 on x86_64), whose calls are refused by number too.
AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_I386 = 0x40000003
AUDIT_ARCH_AARCH64 = 0xC00000B7
#: add_key, request_key, keyctl, io_uring_setup/enter/register, userfaultfd,
#: perf_event_open, bpf
REFUSED: dict[int, tuple[int, ...]] = {
    AUDIT_ARCH_X86_64: (248, 249, 250, 425, 426, 427, 323, 298, 321),
    AUDIT_ARCH_I386: (286, 287, 288, 425, 426, 427, 374, 336, 357),
    AUDIT_ARCH_AARCH64: (217, 218, 219, 425, 426, 427, 282, 241, 280),
}
MACHINES: dict[str, tuple[int, ...]] = {
    "x86_64": (AUDIT_ARCH_X86_64, AUDIT_ARCH_I386),
    "amd64": (AUDIT_ARCH_X86_64, AUDIT_ARCH_I386),
    "aarch64": (AUDIT_ARCH_AARCH64,),
    "arm64": (AUDIT_ARCH_AARCH64,),
}
#: x32 system calls are x86_64's numbers with this bit set.
_X32_BIT = 0x40000000


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program(machine: str | None = None) -> bytes | None:
    """The filter for `machine` (default: this one) as bwrap's `--seccomp` reads it: an array
    of `struct sock_filter`; None for a machine it does not know (no filter then)."""
    arches = MACHINES.get((machine or platform.machine()).lower())
    if arches is None:
        return None
    refuse = RET_ERRNO | errno.EPERM
    body: list[bytes] = []
    # Per ABI: compare the arch; on a match, compare the number with each refused one.
    for arch in arches:
        numbers = REFUSED[arch]
        block = [_insn(_LD_W_ABS, 0, 0, _NR_OFFSET)]
        if arch == AUDIT_ARCH_X86_64:
            # x32 calls (the bit set) are refused whole: no test uses that ABI.
            block.append(_insn(_JGE_K, len(numbers) + 1, 0, _X32_BIT))
        for i, nr in enumerate(numbers):
            # Jump to the refusal right after the block's last compare.
            block.append(_insn(_JEQ_K, len(numbers) - i, 0, nr))
        block.append(_insn(_RET_K, 0, 0, RET_ALLOW))
        block.append(_insn(_RET_K, 0, 0, refuse))
        body.append(_insn(_LD_W_ABS, 0, 0, _ARCH_OFFSET))
        body.append(_insn(_JEQ_K, 0, len(block), arch))  # not this ABI: skip its block
        body.extend(block)
    # An ABI the machine should not have: killed.
    body.append(_insn(_RET_K, 0, 0, RET_KILL_PROCESS))
    return b"".join(body)


def run(filter_bytes: bytes, nr: int, arch: int) -> int:
    """What the filter answers for system call `nr` of ABI `arch`: a tiny interpreter of the
    instructions `program` uses (for the tests)."""
    insns = [
        struct.unpack("=HBBI", filter_bytes[i : i + 8]) for i in range(0, len(filter_bytes), 8)
    ]
    data = struct.pack("=iI", nr, arch) + bytes(56)
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = insns[pc]
        if code == _LD_W_ABS:
            acc = struct.unpack_from("=I", data, k)[0]
        elif code == _JEQ_K:
            pc += jt if acc == k else jf
        elif code == _JGE_K:
            pc += jt if acc >= k else jf
        elif code == _RET_K:
            return k
        else:
            raise ValueError(f"unknown instruction {code:#x}")
        pc += 1
