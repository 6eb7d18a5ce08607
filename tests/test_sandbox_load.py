"""Load: 8 hostile runs next to 8 honest ones. Every honest run gets its right verdict,
no hostile run gets a SandboxError, and the memory all runs held together stayed
within the per-run caps (read from the runs' parent memory cgroup)."""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from gymkit.sandbox import client, isolation_report, run, run_tests

MEMORY_MB = 96
HOSTILE = [
    "import os\nfd = os.memfd_create('x')\nwhile True:\n    os.write(fd, b'x' * (1 << 20))\n",
    "x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n",
    "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
    "import os\nfor i in range(100000):\n    open(f'f{i}', 'w').close()\nwhile True:\n    pass\n",
    "import sys\nwhile True:\n    sys.stdout.write('y' * 65536)\n",
    "import os, time\nfor _ in range(8):\n    if os.fork() == 0:\n"
    "        b = bytearray(60 << 20)\n        b[::4096] = b'1' * len(b[::4096])\n"
    "        time.sleep(30)\ntime.sleep(30)\n",
    "def r(n):\n    return r(n + 1)\nr(0)\n",
    "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\nwhile True:\n    pass\n",
]


def _parent_cgroup() -> str | None:
    for line in open("/proc/self/cgroup"):
        _, ctrls, path = line.strip().split(":", 2)
        if "memory" in ctrls.split(","):
            p = f"/sys/fs/cgroup/memory{path}/gymkit-sandbox"
            return p if os.path.isdir(p) else None
    return None


@pytest.fixture(scope="module", autouse=True)
def strong_mode():
    if isolation_report()["mode"] != "namespaces":
        pytest.skip("needs namespaces mode (root)")


def _hostile(code: str) -> str:
    tr = run_tests(code + "def f(x):\n    return 0\n", ["assert f(1) == 1"], timeout_s=3,
                   memory_mb=MEMORY_MB)
    res = run(code, timeout_s=3, memory_mb=MEMORY_MB)
    assert not tr.passed and res.status != "ok", (code, tr.details, res.status)
    return res.status


def _honest(i: int) -> bool:
    good = run_tests("def f(x):\n    return x + 1\n", [f"assert f({i}) == {i + 1}"] * 2,
                     memory_mb=MEMORY_MB)
    bad = run_tests("def f(x):\n    return x\n", [f"assert f({i}) == {i + 1}"],
                    memory_mb=MEMORY_MB)
    out = run(f"print({i} * 2)", memory_mb=MEMORY_MB)
    return good.passed and not bad.passed and out.stdout == f"{2 * i}\n"


def _held_mb(cg: str) -> float:
    """Memory the runs hold (anonymous pages plus memfd/tmpfs), not reclaimable page cache:
    the cgroup's max_usage also counts cache charged to whichever run read a file first."""
    stat = dict(line.split() for line in open(f"{cg}/memory.stat"))
    return (int(stat.get("total_rss", 0)) + int(stat.get("total_shmem", 0))) / 2 ** 20


def test_hostile_next_to_honest():
    cg = _parent_cgroup()
    assert cg or "NOT capped" in isolation_report()["memory"]
    peak, done = [0.0], threading.Event()

    def sample():  # every 20 ms while the runs go on
        while not done.wait(0.02):
            peak[0] = max(peak[0], _held_mb(cg))

    sampler = threading.Thread(target=sample, daemon=True)
    if cg:
        sampler.start()
    try:
        with ThreadPoolExecutor(16) as pool:
            hostile = [pool.submit(_hostile, code) for code in HOSTILE]
            honest = [pool.submit(_honest, i) for i in range(8)]
            assert all(f.result() for f in honest)
            statuses = [f.result() for f in hostile]
    finally:
        done.set()
    assert "ok" not in statuses
    if cg:
        sampler.join()
        # every run is capped at MEMORY_MB and at most `slots` run at once (plus the
        # pre-forked runners); uncapped, the hostile runs above would hold well over 1 GB
        assert 0 < peak[0] <= client.slot_count() * MEMORY_MB + 64, peak[0]
        print(f"peak memory held by all runs together: {peak[0]:.0f} MB")
