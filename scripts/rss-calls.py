#!/usr/bin/env python3
"""The terminal UI's memory over a long session, measured from outside: avlaunch runs in a
tmux pane on its built-in simulator (answer delay 0), each call is placed with Enter (To
holds sip:bob@contoso.com, who declines at once) and the pane is polled until that call
is shown finished; VmRSS of the avlaunch process is read from /proc at checkpoints.

Usage: rss-calls.py BINARY [CALLS]   (default 1000; prints calls, VmRSS MB, seconds)
The home directory is a fresh temporary one (history written there, then removed).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
calls = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
sock = f"avlaunch-rss-{os.getpid()}"
home = tempfile.mkdtemp(prefix="avlaunch-rss-")


def tmux(*args):
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True).stdout


def screen():
    return tmux("capture-pane", "-p", "-t", "r")


def wait_for(pred, what, limit=20.0):
    start = time.perf_counter()
    while True:
        s = screen()
        if pred(s):
            return s
        if time.perf_counter() - start > limit:
            raise SystemExit(f"no {what} on screen:\n{s}")
        time.sleep(0.002)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


try:
    tmux("new-session", "-d", "-s", "r", "-x", "120", "-y", "40",
         f"exec env HOME={home} XDG_CONFIG_HOME= XDG_DATA_HOME= XDG_STATE_HOME= "
         f"AVLAUNCH_SIM_ANSWER_DELAY_MS=0 NO_COLOR=1 {binary}")
    pid = int(tmux("display-message", "-p", "-t", "r", "#{pane_pid}").strip())
    wait_for(lambda s: "ready" in s, "ready")
    tmux("send-keys", "-t", "r", "-l", "sip:bob@contoso.com")
    wait_for(lambda s: "sip:bob@contoso.com" in s, "the contact")
    checkpoints = {0, 1, 10, 50, 100, 200, 500, 1000, 2000, calls}
    print(f"{'calls':>6}  {'VmRSS MB':>8}  {'s':>6}")
    print(f"{0:>6}  {rss_mb(pid):>8.1f}  {0:>6.1f}")
    start = time.perf_counter()
    for n in range(1, calls + 1):
        tmux("send-keys", "-t", "r", "Enter")
        # "Start a new call?" appears only if the previous call were still live.
        s = wait_for(lambda s: f"Call #{n} " in s or "Start a new call?" in s, f"call #{n}")
        if "Start a new call?" in s:
            tmux("send-keys", "-t", "r", "y")
            wait_for(lambda s: f"Call #{n} " in s, f"call #{n}")
        wait_for(lambda s: f"Call #{n} " in s and "declined" in s, f"call #{n} finished")
        if n in checkpoints:
            print(f"{n:>6}  {rss_mb(pid):>8.1f}  {time.perf_counter() - start:>6.1f}", flush=True)
    time.sleep(1)
    print(f"after 1 s idle: VmRSS {rss_mb(pid):.1f} MB")
finally:
    tmux("kill-server")
    shutil.rmtree(home, ignore_errors=True)
