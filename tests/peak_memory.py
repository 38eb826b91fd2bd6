"""Run a Python script (``python -m tests.peak_memory manage.py import_roster …``) or module (``… -m module …``) as
``python`` would, and print its peak resident memory at exit: ``peak_memory_kb N`` (``VmHWM`` of
/proc/self/status).

Why not ``ru_maxrss`` of the child as its parent waits for it: on Linux a process's ``ru_maxrss`` starts from the
resident size of the process it was forked from (the kernel keeps the larger of the two at ``exec``), so a child
of the test runner would report at least the runner's own size.
"""

import atexit
import runpy
import sys


def report() -> None:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                print(f"peak_memory_kb {line.split()[1]}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    atexit.register(report)
    arguments = sys.argv[1:]
    if arguments[0] == "-m":
        sys.argv = arguments[1:]
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
    else:
        sys.argv = arguments
        sys.path.insert(0, ".")
        runpy.run_path(arguments[0], run_name="__main__")
