"""python kunshan_credit/bench/peak.py COMMAND…: run COMMAND, then print its peak RSS in KB on the last line.

Run by its path, not as a module (no package, no Django: this process stays a few MB). Why a process of its
own: a child's ru_maxrss starts at its parent's peak (Linux counts the parent's memory up to the child's exec),
so measured straight from the benchmark, which holds a province in memory, every child would seem as large.
"""

import os
import subprocess
import sys

if __name__ == "__main__":
    child = subprocess.Popen(sys.argv[1:])
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    scale = 1 / 1024 if sys.platform == "darwin" else 1  # ru_maxrss: bytes on macOS, KB on Linux
    print(round(usage.ru_maxrss * scale), flush=True)
    sys.exit(child.returncode)
