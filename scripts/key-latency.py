#!/usr/bin/env python3
"""Key press to redrawn frame, measured from outside: avlaunch runs in a tmux pane,
each key is sent with `send-keys`, and the pane is polled (capture-pane) until the
Subject counter shows the new length. The figure includes tmux's own relay and the
polling interval, so it is an upper bound on avlaunch's own latency.

Usage: key-latency.py BINARY [KEYS]   (prints median, p90, p99 in ms)
       key-latency.py --baseline [KEYS]  (the same loop against `cat` and the tty's echo:
                                          what tmux and the polling cost on their own)
"""
import os
import subprocess
import sys
import time

binary = sys.argv[1]
baseline = binary == "--baseline"
keys = int(sys.argv[2]) if len(sys.argv) > 2 else 100
sock = f"avlaunch-keylat-{os.getpid()}"


def tmux(*args):
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True).stdout


def wait_for(text, limit=15.0):
    start = time.perf_counter()
    while text not in tmux("capture-pane", "-p", "-t", "k"):
        if time.perf_counter() - start > limit:
            raise SystemExit(f"no {text!r} on screen")
        time.sleep(0.001)


try:
    if baseline:
        tmux("new-session", "-d", "-s", "k", "-x", "400", "-y", "40", "cat")
        time.sleep(0.3)
    else:
        tmux("new-session", "-d", "-s", "k", "-x", "120", "-y", "40", f"env NO_COLOR=1 {binary}")
        wait_for("ready")
        tmux("send-keys", "-t", "k", "Tab")
        wait_for("0/250")
    samples = []
    for n in range(1, keys + 1):
        start = time.perf_counter()
        tmux("send-keys", "-t", "k", "-l", "x")
        wait_for("x" * n if baseline else f" {n}/250")
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    pick = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
    label = "baseline (cat, tty echo)" if baseline else "key to frame"
    print(f"{label} over {keys} keys: median {pick(0.5):.1f} ms, p90 {pick(0.9):.1f} ms, p99 {pick(0.99):.1f} ms")
finally:
    tmux("kill-server")
