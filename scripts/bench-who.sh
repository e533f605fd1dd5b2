#!/usr/bin/env bash
# Whole-process wall time of `avlaunch who alex` on the built-in simulator, next to one
# headless audio/video call measured the same way (for a ratio when the binary is a debug
# build). hyperfine when installed, else a loop of RUNS runs timed with `date +%s%N`.
# BIN picks the binary (default target/release/avlaunch, built when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-${CARGO_TARGET_DIR:-target}/release/avlaunch}
[ -x "$bin" ] || cargo build --release --quiet
runs=${RUNS:-30}
export AVLAUNCH_SIM_ANSWER_DELAY_MS=0 NO_COLOR=1
measure() {
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 3 --runs "$runs" -N "$*" 2>/dev/null | sed -n '2p'
    return
  fi
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | sort -n | awk '{a[NR]=$1} END {printf "median %.1f ms (min %.1f, max %.1f, %d runs)\n", a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000, NR}'
}
echo "== $bin who alex"; measure "$bin" who alex
echo "== $bin call --to sip:alice@contoso.com --hangup-after 0"
measure "$bin" call --to sip:alice@contoso.com --hangup-after 0 --no-history
