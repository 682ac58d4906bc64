"""python kunshan_credit/bench/peak.py COMMAND…: run COMMAND, then print its peak memory in KB on the last line.

The peak is of the command and every process it starts, added up while they run at once (sampled from
/proc every 10 ms), or the largest single process's own peak (its ru_maxrss) if that is more: the issue's
PDF is made by render_documents with each part typeset in a child process (bulletins/typeset.py), and
what the machine needs is the parent and its running child together.

Run by its path, not as a module (no package, no Django: this process stays a few MB). Why a process of its
own: a child's ru_maxrss starts at its parent's peak (Linux counts the parent's memory up to the child's exec),
so measured straight from the benchmark, which holds a province in memory, every child would seem as large.
"""

import os
import subprocess
import sys
import time

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def tree_rss_kb(root):
    """The resident memory of `root` and all its descendants now, in KB (0 where /proc is not there)."""
    children, rss = {}, {}
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(pid)  # field 4, ppid (after "pid (comm)")
        rss[pid] = int(fields[21]) * PAGE_KB  # field 24, rss in pages
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += rss.get(pid, 0)
        pending += children.get(pid, [])
    return total


if __name__ == "__main__":
    child = subprocess.Popen(sys.argv[1:])
    sampled = 0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        sampled = max(sampled, tree_rss_kb(child.pid))
        time.sleep(0.01)
    child.returncode = os.waitstatus_to_exitcode(status)
    scale = 1 / 1024 if sys.platform == "darwin" else 1  # ru_maxrss: bytes on macOS, KB on Linux
    print(round(max(sampled, usage.ru_maxrss * scale)), flush=True)
    sys.exit(child.returncode)
