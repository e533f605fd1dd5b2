#!/usr/bin/env bash
# Whole-process cost of one headless call on the built-in simulator (answer delay 0):
# wall time (hyperfine, median) and peak RSS (/usr/bin/time, median of 10), plus the
# in-process flow benchmark. Needs hyperfine and GNU time (Debian packages; installed
# when missing). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
need() { command -v "$1" >/dev/null 2>&1 || { apt-get install -y "$2" >/dev/null 2>&1 || sudo apt-get install -y "$2"; }; }
need hyperfine hyperfine
[ -x /usr/bin/time ] || need time time

cargo build --release --quiet
bin=target/release/avlaunch
export AVLAUNCH_SIM_ANSWER_DELAY_MS=0
cmd="$bin call --to sip:alice@contoso.com --hangup-after 0"
$cmd >/dev/null

echo "== whole process: $cmd"
hyperfine --warmup 5 --runs "${RUNS:-50}" --export-json /tmp/avlaunch-hyperfine.json -N "$cmd" 2>/dev/null | sed -n '1,4p'
python3 - <<'PY'
import json
r = json.load(open("/tmp/avlaunch-hyperfine.json"))["results"][0]
print(f"wall median: {r['median']*1000:.1f} ms (mean {r['mean']*1000:.1f}, min {r['min']*1000:.1f}, max {r['max']*1000:.1f})")
PY

echo "== peak RSS over 10 runs"
for _ in $(seq 10); do /usr/bin/time -f '%M' $cmd 2>&1 >/dev/null | tail -1; done | sort -n |
  awk '{a[NR]=$1} END {printf "peak RSS median: %.1f MB (min %.1f, max %.1f)\n", a[int((NR+1)/2)]/1024, a[1]/1024, a[NR]/1024}'

echo "== binary size"
ls -l "$bin" | awk '{printf "release binary: %.1f MB\n", $5/1048576}'

echo "== in-process call flow"
cargo bench --quiet --bench call_flow 2>/dev/null
