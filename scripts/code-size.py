#!/usr/bin/env python3
"""Longest functions and files under src/: prints files over 800 lines and functions over
100 lines (a function runs from its `fn` line to the line that closes its body at the same
indentation). Usage: scripts/code-size.py [root]"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "src"
FN = re.compile(r"^(\s*)(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")
files, fns = [], []
for dirpath, _, names in os.walk(root):
    for name in names:
        if not name.endswith(".rs"):
            continue
        path = os.path.join(dirpath, name)
        lines = open(path, encoding="utf-8").read().split("\n")
        files.append((len(lines), path))
        for i, line in enumerate(lines):
            m = FN.match(line)
            if not m or line.rstrip().endswith(";"):
                continue
            indent = m.group(1)
            for j in range(i + 1, len(lines)):
                if lines[j].startswith(indent + "}") and not lines[j].startswith(indent + "} "):
                    fns.append((j - i + 1, f"{path}:{i + 1} {m.group(7)}"))
                    break
files.sort(reverse=True)
fns.sort(reverse=True)
print("longest files:")
for n, p in files[:5]:
    print(f"  {n:5} {p}{'  (over 800)' if n > 800 else ''}")
print("longest functions:")
for n, p in fns[:8]:
    print(f"  {n:5} {p}{'  (over 100)' if n > 100 else ''}")
print(f"files over 800: {sum(1 for n, _ in files if n > 800)}; functions over 100: {sum(1 for n, _ in fns if n > 100)}")
