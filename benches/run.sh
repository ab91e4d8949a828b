#!/usr/bin/env bash
# Throughput, start and memory benchmark of flinkha against the grep baselines, on generated
# JobManager logs; prints the figures and the issue-9 targets (PASS / MISS with the ratios).
#
#   benches/run.sh [SIZE...]       SIZE: 1GiB (default), 512MiB, 4GiB, ...; several sizes in
#                                  one run also check that cost and memory stay linear / flat
#
# Environment:
#   CARGO_TARGET_DIR      where cargo builds (respected; binary = $CARGO_TARGET_DIR/release/flinkha)
#   BENCH_SEED=1          generator seed
#   BENCH_RUNS=5          runs per command, alternating between commands (medians are reported)
#   BENCH_DIR=/tmp        where the generated logs go (a fresh directory, removed at the end)
#   BENCH_KEEP=1          keep the generated logs instead (as $BENCH_DIR/flinkha-bench-<bytes>-s<seed>-<hash>.log,
#                         reused by later runs)
#   BENCH_SMALL=16MiB     size of the small log whose instruction counts callgrind measures
#                         (empty: skip; needs valgrind)
#   BENCH_VERIFY=1GiB     `flinkha events` (and `--unmatched`) with the hand matchers and with
#                         --regex-only must print the same bytes on every log up to this size
#                         (0: skip)
#   BENCH_CORPUS          the real corpus set of the start figure (default samples/corpus-k8s/2.3.0)
#   BENCH_FOLLOW_RUNS=11  runs of the --follow latency probe (samples/mutations/restore-older as a
#                         kubectl stream into a pipe: how soon its FAIL is printed; 0: skip)
#   BENCH_CARGO_FLAGS     extra `cargo build --release` flags; default `--no-default-features`
#                         (the polars `stats` feature is not on the parsing/checking path)
#   BENCH_SKIP_BUILD=1    use the existing binary as is
#   BENCH_BIN             benchmark this binary instead of the build (e.g. an older flinkha)

set -uo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1GiB)
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-5}
DIR=${BENCH_DIR:-/tmp}
SMALL=${BENCH_SMALL-16MiB}
VERIFY=${BENCH_VERIFY:-1GiB}
CORPUS=${BENCH_CORPUS:-$ROOT/samples/corpus-k8s/2.3.0}
FOLLOW_RUNS=${BENCH_FOLLOW_RUNS:-11}
CARGO_FLAGS=${BENCH_CARGO_FLAGS---no-default-features}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BENCH_BIN:-$TARGET/release/flinkha}

die() { echo "benches/run.sh: $*" >&2; exit 2; }

command -v python3 >/dev/null || die "python3 is required (log generator and measurements)"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"

if [ "${BENCH_KEEP:-0}" = 1 ]; then
    WORK=$DIR
    mkdir -p "$WORK" || die "cannot create $WORK"
else
    WORK=$(mktemp -d "$DIR/flinkha-bench.XXXXXX") || die "mktemp failed"
    trap 'rm -rf "$WORK"' EXIT
fi

# ---- build ---------------------------------------------------------------------------------
if [ -z "${BENCH_BIN:-}" ] && [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "== cargo build --release $CARGO_FLAGS   (CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-<default>})"
    # shellcheck disable=SC2086
    (cd "$ROOT" && cargo build --release $CARGO_FLAGS) >"$WORK/build.log" 2>&1 \
        || { tail -n 25 "$WORK/build.log" | sed 's/^/   /'; die "build failed"; }
fi
[ -x "$BIN" ] || die "no binary at $BIN"
echo "== binary: $BIN ($("$BIN" --version 2>/dev/null || echo '?'), git $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "?"))"
CPU=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')
echo "== machine: $(nproc) CPUs, ${CPU:-unknown CPU}, $(uname -sr)"

# ---- inputs --------------------------------------------------------------------------------
GENHASH=$(sha256sum "$HERE/genlog.py" | cut -c1-10)
generate() { # SIZE -> path of the log of that size
    local bytes log
    bytes=$(python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1]); import genlog; print(genlog.parse_size(sys.argv[2]))' "$HERE" "$1") \
        || die "bad SIZE '$1' (e.g. 1GiB, 512MiB, 4GiB)"
    log=$WORK/flinkha-bench-$bytes-s$SEED-$GENHASH.log
    if [ ! -s "$log" ]; then
        echo "== generating $1 (seed $SEED) -> $log" >&2
        python3 "$HERE/genlog.py" --size "$1" --seed "$SEED" --out "$log.part" --quiet || die "generator failed"
        mv "$log.part" "$log"
    fi
    echo "$log"
}
LOGS=()
for s in "${SIZES[@]}"; do
    LOGS+=("$(generate "$s")") || exit 2
done
SMALL_LOG=
if [ -n "$SMALL" ] && command -v valgrind >/dev/null; then
    SMALL_LOG=$(generate "$SMALL") || exit 2
fi
JOB=$(grep -m1 -oE "Received JobGraph submission '[^']*' \([0-9a-f]{32}\)" "${LOGS[0]}" | grep -oE '[0-9a-f]{32}')
for l in "${LOGS[@]}"; do cat "$l" >/dev/null; done # warm the page cache

VERIFY_BYTES=$(python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1]); import genlog; print(genlog.parse_size(sys.argv[2]) if sys.argv[2] != "0" else 0)' "$HERE" "$VERIFY") \
    || die "bad BENCH_VERIFY '$VERIFY' (e.g. 1GiB, 0)"
ARGS=(--bin "$BIN" --runs "$RUNS" --corpus "$CORPUS" --job "${JOB:-}" --verify-max "$VERIFY_BYTES"
      --follow-scenario "$ROOT/samples/mutations/restore-older" --follow-runs "$FOLLOW_RUNS")
for l in "${LOGS[@]}"; do ARGS+=(--log "$l"); done
[ -n "$SMALL_LOG" ] && ARGS+=(--small "$SMALL_LOG")
python3 "$HERE/bench.py" "${ARGS[@]}"
