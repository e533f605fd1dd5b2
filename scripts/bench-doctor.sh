#!/usr/bin/env bash
# Deployment checks on the built-in simulator (answer delay 0), release build:
#  1. `avlaunch doctor`: whole-process wall time, median (target <= 40 ms);
#  2. `avlaunch call --repeat 1000 --hangup-after 0`: calls per second (target >= 300) and
#     peak RSS (target <= 20 MB, GNU time).
# Uses hyperfine when present, else a median of RUNS timed runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BIN:-${CARGO_TARGET_DIR:-target}/release/avlaunch}"
[ -x "$bin" ] || cargo build --release --quiet
export AVLAUNCH_SIM_ANSWER_DELAY_MS=0
runs="${RUNS:-30}"

echo "== avlaunch doctor, whole process, $runs runs"
"$bin" doctor >/dev/null
python3 - "$bin" "$runs" <<'PY'
import statistics, subprocess, sys, time
bin, runs = sys.argv[1], int(sys.argv[2])
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run([bin, "doctor"], stdout=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"doctor wall median: {statistics.median(times):.1f} ms (min {times[0]:.1f}, max {times[-1]:.1f})")
PY

n="${CALLS:-1000}"
echo "== avlaunch call --repeat $n --hangup-after 0"
start=$(date +%s.%N)
/usr/bin/time -v "$bin" call --to sip:alice@contoso.com --repeat "$n" --hangup-after 0 --output json \
  >/tmp/avlaunch-repeat.jsonl 2>/tmp/avlaunch-repeat.time
end=$(date +%s.%N)
tail -1 /tmp/avlaunch-repeat.jsonl
python3 - "$start" "$end" "$n" <<'PY'
import re, sys
start, end, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open("/tmp/avlaunch-repeat.time").read()).group(1))
print(f"{n} calls in {end-start:.2f} s: {n/(end-start):.0f} calls/s (whole process); peak RSS {rss/1024:.1f} MB")
PY
