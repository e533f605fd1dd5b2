#!/usr/bin/env bash
# The terminal UI's speed, measured from outside in tmux (120x40), on the release binary
# and its built-in simulator: first frame, RSS, idle CPU and binary size with
# ../shared/tools/tui-measure.sh (or TUI_MEASURE=path), key press to redrawn frame with
# scripts/key-latency.py, and the frame time of the busiest view with the render bench.
# The first frame is measured twice: with no history, and with a 10,000-line history file
# (the most avlaunch keeps), which the UI reads after its first frame.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || apt-get install -y tmux >/dev/null
measure=${TUI_MEASURE:-../shared/tools/tui-measure.sh}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/avlaunch
# Keep the log, config and history out of the user's directories.
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_STATE_HOME AVLAUNCH_PROFILE
empty_home=$(mktemp -d)
history_home=$(mktemp -d)
trap 'rm -rf "$empty_home" "$history_home"' EXIT
mkdir -p "$history_home/.local/share/avlaunch"
python3 scripts/make-history.py 10000 > "$history_home/.local/share/avlaunch/history.jsonl"

if [ -x "$measure" ]; then
  echo "== tui-measure: first frame, RSS, idle CPU, binary size (medians of ${RUNS:-5})"
  HOME=$empty_home "$measure" -r "${RUNS:-5}" -x 120 -y 40 -m 'ready' -n no-history -- "$bin"
  echo "== the same with a 10,000-line history file"
  HOME=$history_home "$measure" -r "${RUNS:-5}" -x 120 -y 40 -m 'ready' -n history-10k -- "$bin"
else
  echo "tui-measure.sh not found at $measure: set TUI_MEASURE" >&2
fi
export HOME=$empty_home

echo "== key press to redrawn frame"
python3 scripts/key-latency.py --baseline "${KEYS:-200}"
python3 scripts/key-latency.py "$bin" "${KEYS:-200}"

echo "== frame time of the busiest views at 200x60"
cargo bench --quiet --bench render 2>/dev/null
