"""The sandbox: a long-lived child per document that fails cleanly when it dies, hangs or overeats."""

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from buildtrace_assets.engine.errors import BadInputError
from buildtrace_assets.engine.sandbox import Limits, Sandbox, prestart


def test_requests_are_served_by_one_reused_child():
    with Sandbox("collections:Counter", "abracadabra") as box:
        pid = box.pid
        assert box.call("most_common", 1) == [("a", 5)]
        assert box.call("total") == 11
        assert box.pid == pid


def test_a_killed_child_fails_the_request_and_the_next_request_gets_a_fresh_child():
    with Sandbox("collections:Counter", "abc") as box:
        first = box.pid
        os.kill(first, signal.SIGKILL)
        with pytest.raises(BadInputError, match="crashed the renderer"):
            box.call("total")
        assert box.call("total") == 3
        assert box.pid != first


def test_a_request_over_the_time_limit_is_cut_off():
    with (
        Sandbox("threading:Event", limits=Limits(timeout_s=0.5)) as box,
        pytest.raises(BadInputError, match=r"took longer than 0.5 s"),
    ):
        box.call("wait", 30)


def test_the_memory_limit_turns_an_allocation_into_bad_input():
    with pytest.raises(BadInputError, match="more memory than allowed"):
        Sandbox("builtins:bytearray", 3 * 1024**3, limits=Limits(memory_mb=1024))


def test_exceptions_in_the_child_come_back_as_one_line_bad_input():
    with Sandbox("collections:Counter") as box, pytest.raises(BadInputError, match="no_such_method"):
        box.call("no_such_method")


def test_arrays_come_back_whole_writable_and_contiguous():
    with Sandbox("numpy:tri", 4000, 6000, 0, "uint8") as box:  # ones on and below the diagonal
        page = box.call("copy")
        assert page.shape == (4000, 6000) and page.flags.writeable and page.flags.c_contiguous
        assert int(page.sum()) == 4000 * 4001 // 2 and page[1, 0] == 1 and page[0, 1] == 0
        transposed = box.call("transpose")  # a strided view in the child
        assert transposed.shape == (6000, 4000) and transposed.flags.c_contiguous
        assert transposed[0, 1] == 1 and transposed[1, 0] == 0


def test_arrays_are_private_to_the_parent():
    with Sandbox("numpy:ones", (300, 400), "uint8") as box:
        page = box.call("copy")
        page[:] = 7
        assert int(box.call("copy").max()) == 1


def test_an_array_the_child_could_still_change_is_refused():
    """A hostile file that took over the child must not be able to change (or shrink) memory the parent reads."""
    with Sandbox("importlib:import_module", "builtins") as box:
        box.call("exec", "import __main__; __main__._SEALS = 0")
        with pytest.raises(BadInputError, match="memory it could still change"):
            box.call("memoryview", b"abcd")
        assert box.call("len", "abc") == 3


def test_the_child_is_a_fresh_interpreter_running_the_sandbox_module():
    """Not a ``multiprocessing`` child: spawn would re-import the caller's main module (seconds under Dagster)."""
    with Sandbox("importlib:import_module", "sys") as box:
        assert box.call("__getattribute__", "argv")[0].endswith("buildtrace_assets/engine/sandbox.py")


def test_threads_sharing_a_sandbox_each_get_the_reply_to_their_own_request():
    with Sandbox("builtins:list", range(400)) as box, ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(lambda i: box.call("__getitem__", i), range(400))) == list(range(400))


def _parent_pid(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def test_a_sandbox_beside_another_is_forked_from_its_child_and_outlives_it():
    with Sandbox("collections:Counter", "abc") as first, Sandbox("collections:Counter", "zzxy", beside=first) as second:
        assert _parent_pid(second.pid) == first.pid
        assert (first.call("total"), second.call("most_common", 1)) == (3, [("z", 2)])
        os.kill(first.pid, signal.SIGKILL)
        assert second.call("total") == 4


def test_a_forked_sibling_that_dies_is_replaced_by_a_fresh_child():
    with Sandbox("collections:Counter", "abc") as first, Sandbox("collections:Counter", "zzxy", beside=first) as second:
        sibling = second.pid
        os.kill(sibling, signal.SIGKILL)
        with pytest.raises(BadInputError, match="crashed the renderer"):
            second.call("total")
        assert second.call("total") == 4
        assert _parent_pid(second.pid) == os.getpid()
        assert first.call("total") == 3


def test_a_sandbox_with_other_limits_is_not_forked():
    with (
        Sandbox("collections:Counter", "abc") as first,
        Sandbox("collections:Counter", "xyz", limits=Limits(memory_mb=1024), beside=first) as second,
    ):
        assert _parent_pid(second.pid) == os.getpid()


def test_a_prestarted_child_serves_the_next_sandbox_after_importing_what_it_was_told():
    pid = prestart("buildtrace_assets.engine.documents:load_renderer")
    with Sandbox("importlib:import_module", "sys") as box:
        assert box.pid == pid
        assert box.call("getrecursionlimit") > 0
    with Sandbox("collections:Counter", "abc") as fresh:  # the spare was taken: the next one starts its own child
        assert fresh.pid != pid


def test_a_prestarted_child_nobody_takes_exits_with_its_parent():
    script = "from buildtrace_assets.engine.sandbox import prestart; print(prestart('os:getpid'))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    pid = int(done.stdout)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)
    assert "Traceback" not in done.stderr


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
