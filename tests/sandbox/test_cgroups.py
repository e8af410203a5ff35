"""Cgroup detection and run groups on fake hierarchies: v2 (most production hosts, which this
machine lacks) and v1, built as plain directories the code writes to as the kernel's would."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox import cgroups

V2_MOUNTINFO = "30 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"
V1_MOUNTINFO = (
    "31 1 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "32 1 0:28 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
)


def fake_root(tmp_path: Path, mountinfo: str, proc_cgroup: str) -> Path:
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/self/mountinfo").write_text(mountinfo)
    (tmp_path / "proc/self/cgroup").write_text(proc_cgroup)
    return tmp_path


def v2_group(path: Path, controllers: str = "cpu memory pids") -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "cgroup.controllers").write_text(controllers)
    (path / "cgroup.subtree_control").write_text("")
    (path / "cgroup.procs").write_text("")


def test_v2_is_detected_and_delegated_below_our_own_group(tmp_path: Path) -> None:
    root = fake_root(tmp_path, V2_MOUNTINFO, "0::/kubepods/pod1/ctr\n")
    own = root / "sys/fs/cgroup/kubepods/pod1/ctr"
    v2_group(own)
    h, why = cgroups.detect(root)
    assert h is not None and h.version == 2, why
    base = h.memory_base
    assert h.pids_base == base and base.parent == own
    assert base.name.startswith(f"rewardkit-{os.getpid()}-")
    assert (own / "cgroup.subtree_control").read_text() == "+memory +pids"
    assert (base / "cgroup.subtree_control").read_text() == "+memory +pids"


def test_v2_run_group_sets_memory_pids_and_reads_oom_kills(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    h = cgroups.Hierarchy(2, base, base)
    group = cgroups.RunGroup(h)
    d = group.memory
    assert d.parent == base and (d / "memory.swap.max").read_text() == "0"
    group.limit(memory_mb=512, processes=64)
    assert int((d / "memory.max").read_text()) == (512 + cgroups.OVERHEAD_MB) << 20
    assert int((d / "pids.max").read_text()) == 64 + cgroups.OVERHEAD_PIDS
    (d / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n")
    assert group.oom_kills() == 2
    group.add(1234)
    assert (d / "cgroup.procs").read_text() == "1234"
    for f in d.iterdir():  # a real cgroup's files vanish with it
        f.unlink()
    group.remove()
    assert not d.exists()


def test_v2_without_the_controllers_falls_back_with_a_reason(tmp_path: Path) -> None:
    root = fake_root(tmp_path, V2_MOUNTINFO, "0::/\n")
    v2_group(root / "sys/fs/cgroup", controllers="cpu io")
    h, why = cgroups.detect(root, mode="v2")
    assert h is None and "memory" in why and "pids" in why


def test_v1_is_detected_with_one_base_per_controller(tmp_path: Path) -> None:
    root = fake_root(tmp_path, V1_MOUNTINFO, "4:memory:/svc\n8:pids:/\n0::/\n")
    (root / "sys/fs/cgroup/memory/svc").mkdir(parents=True)
    (root / "sys/fs/cgroup/pids").mkdir(parents=True)
    h, why = cgroups.detect(root)
    assert h is not None and h.version == 1, why
    name = h.memory_base.name
    assert name.startswith(f"rewardkit-{os.getpid()}-")
    assert h.memory_base == root / "sys/fs/cgroup/memory/svc" / name
    assert h.pids_base == root / "sys/fs/cgroup/pids" / name
    group = cgroups.RunGroup(h)
    group.limit(memory_mb=256, processes=8)
    assert (
        int((group.memory / "memory.limit_in_bytes").read_text())
        == (256 + cgroups.OVERHEAD_MB) << 20
    )
    assert (group.pids / "pids.max").read_text() == str(8 + cgroups.OVERHEAD_PIDS)
    (group.memory / "memory.oom_control").write_text(
        "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n"
    )
    assert group.oom_kills() == 1


@pytest.mark.parametrize("mode", ["off", "v1"])
def test_no_usable_hierarchy_means_rlimits(tmp_path: Path, mode: str) -> None:
    root = fake_root(tmp_path, V2_MOUNTINFO, "0::/\n")
    h, why = cgroups.detect(root, mode=mode)
    assert h is None and why


def test_descendants_lists_children_and_grandchildren() -> None:
    import subprocess
    import sys

    child = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys; subprocess.run(['sleep', '60'])"]
    )
    try:
        from tests.helpers.timing import wait_until

        kids = wait_until(lambda: cgroups.descendants(child.pid))
        assert kids and all(isinstance(k, int) for k in kids)
    finally:
        child.kill()
        child.wait()


def test_sweep_removes_the_groups_of_services_that_are_gone(tmp_path: Path) -> None:
    dead_pid = 2**22 + 7  # above any pid_max default: no such process
    ours = tmp_path / f"rewardkit-{os.getpid()}-0"
    dead = tmp_path / f"rewardkit-{dead_pid}-3"
    live = tmp_path / f"rewardkit-{os.getpid()}-1"
    for d in (ours, dead / "run-1", live / "run-2"):
        d.mkdir(parents=True)
    cgroups.sweep(cgroups.Hierarchy(2, ours, ours))
    assert not dead.exists()
    assert ours.exists() and (live / "run-2").exists()
