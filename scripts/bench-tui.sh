#!/usr/bin/env bash
# The terminal UI's speed, measured from outside in tmux (120x40), on the release binary
# and its built-in simulator: first frame, RSS, idle CPU and binary size with
# ../shared/tools/tui-measure.sh (or TUI_MEASURE=path), key press to redrawn frame with
# scripts/key-latency.py, and the frame time of the busiest view with the render bench.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || apt-get install -y tmux >/dev/null
measure=${TUI_MEASURE:-../shared/tools/tui-measure.sh}
cargo build --release --quiet
bin=$PWD/target/release/avlaunch
export HOME=${BENCH_HOME:-$(mktemp -d)}   # keep the log file out of the user's state dir

if [ -x "$measure" ]; then
  echo "== tui-measure: first frame, RSS, idle CPU, binary size (medians of ${RUNS:-5})"
  "$measure" -r "${RUNS:-5}" -x 120 -y 40 -m 'ready' -- "$bin"
else
  echo "tui-measure.sh not found at $measure: set TUI_MEASURE" >&2
fi

echo "== key press to redrawn frame"
python3 scripts/key-latency.py --baseline "${KEYS:-200}"
python3 scripts/key-latency.py "$bin" "${KEYS:-200}"

echo "== frame time of the busiest views at 200x60"
cargo bench --quiet --bench render 2>/dev/null
