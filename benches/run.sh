#!/usr/bin/env bash
# Throughput and memory benchmark of flinkha against the grep baseline Flink's own HA end-to-end
# tests use, on one generated JobManager log.
#
#   benches/run.sh [SIZE]          SIZE: 1GiB (default), 256MiB, 4GiB, ...
#
# Environment:
#   CARGO_TARGET_DIR      where cargo builds (respected; binary = $CARGO_TARGET_DIR/release/flinkha)
#   BENCH_SEED=1          generator seed
#   BENCH_RUNS=3          runs per command (the median wall time is reported)
#   BENCH_DIR=/tmp        where the generated log is cached (by size, seed and generator version)
#   BENCH_CARGO_FLAGS     extra `cargo build --release` flags; default `--no-default-features`
#                         (the polars `stats` feature is not on the parsing/checking path).
#                         Set it to an empty string to build with the default features.
#   BENCH_SKIP_BUILD=1    use the existing binary as is
#
# Every command reads the same file, warm in the page cache. Wall time is measured around each
# run; peak RSS comes from `/usr/bin/time -v` (the largest process of the command's tree).
# A command that fails is reported (with its stderr) and the others still run.

set -uo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SIZE=${1:-1GiB}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-3}
DIR=${BENCH_DIR:-/tmp}
CARGO_FLAGS=${BENCH_CARGO_FLAGS---no-default-features}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/flinkha

die() { echo "benches/run.sh: $*" >&2; exit 2; }

[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing; it measures peak RSS. Install it: sudo apt-get install -y time"
/usr/bin/time -v true >/dev/null 2>&1 || die "/usr/bin/time does not accept -v (not GNU time?). Install GNU time: sudo apt-get install -y time"
command -v python3 >/dev/null || die "python3 is required to generate the log"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"

BYTES=$(python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1]); import genlog; print(genlog.parse_size(sys.argv[2]))' "$HERE" "$SIZE") \
    || die "bad SIZE '$SIZE' (e.g. 1GiB, 256MiB, 4GiB)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flinkha-bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT

# ---- machine -------------------------------------------------------------------------------
CPU=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')
echo "== machine: $(nproc) CPUs, ${CPU:-unknown CPU}, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- build ---------------------------------------------------------------------------------
BUILT=1
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "== cargo build --release $CARGO_FLAGS   (CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-<default>})"
    # shellcheck disable=SC2086
    if ! (cd "$ROOT" && cargo build --release $CARGO_FLAGS 2>"$WORK/build.err"); then
        echo "!! build failed; the flinkha rows will be skipped. Last lines of the build output:"
        tail -n 25 "$WORK/build.err" | sed 's/^/   /'
        BUILT=0
    fi
fi
if [ ! -x "$BIN" ]; then
    echo "!! no binary at $BIN; the flinkha rows will be skipped"
    BUILT=0
fi
if [ $BUILT = 1 ]; then
    echo "== binary: $BIN ($("$BIN" --version 2>/dev/null || echo '?'), git $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "?"))"
fi

# ---- input ---------------------------------------------------------------------------------
GENHASH=$(sha256sum "$HERE/genlog.py" | cut -c1-10)
LOG=$DIR/flinkha-bench-$BYTES-s$SEED-$GENHASH.log
if [ -s "$LOG" ]; then
    echo "== input: $LOG (cached)"
else
    for old in "$DIR"/flinkha-bench-"$BYTES"-s"$SEED"-*.log; do
        [ -e "$old" ] && [ "$old" != "$LOG" ] && rm -f "$old"
    done
    echo "== generating $SIZE (seed $SEED) -> $LOG"
    t0=$(date +%s%N)
    python3 "$HERE/genlog.py" --size "$SIZE" --seed "$SEED" --out "$LOG.part" || die "generator failed"
    mv "$LOG.part" "$LOG"
    t1=$(date +%s%N)
    awk -v ns=$((t1 - t0)) -v b="$(stat -c %s "$LOG")" 'BEGIN { printf "   generated in %.1f s (%.0f MiB/s)\n", ns/1e9, b/1048576/(ns/1e9) }'
fi
FILESIZE=$(stat -c %s "$LOG")
MIB=$(awk -v b="$FILESIZE" 'BEGIN { printf "%.1f", b/1048576 }')
JOB=$(grep -m1 -oE "Received JobGraph submission '[^']*' \([0-9a-f]{32}\)" "$LOG" | grep -oE '[0-9a-f]{32}')
echo "   $FILESIZE bytes ($MIB MiB), $(wc -l <"$LOG") lines, job ${JOB:-?}"
cat "$LOG" >/dev/null   # warm the page cache

# ---- commands ------------------------------------------------------------------------------
export LOG BIN JOB
# The e2e-test baseline (flink-end-to-end-tests/test-scripts/common_ha.sh and the HA tests):
# wait_num_of_occurence_in_logs, verify_logs (Recovered JobGraph, Completed checkpoint),
# the per-job test's `Found N checkpoints in ZooKeeper` and the Kubernetes test's
# `Restoring job ... from Checkpoint`, each one grep pass over the file.
E2E='grep -E -o "Completed checkpoint [1-9]* for job ${JOB}" "$LOG" | wc -l;
grep -c "Recovered JobGraph" "$LOG";
grep -c "Completed checkpoint" "$LOG";
grep -c "Found [[:digit:]]\+ checkpoints in ZooKeeper" "$LOG";
grep -c -E "Restoring job ${JOB} from Checkpoint" "$LOG"; true'

NAMES=()
MEDIANS=()
RSSES=()
STATUS=()

# measure NAME COMMAND [OK_CODES]: run COMMAND (bash) RUNS times; record median wall and max RSS.
measure() {
    local name=$1 cmd=$2 ok=${3:-0} i t0 t1 rc rss maxrss=0 walls=() failed=0
    printf '   %-40s' "$name"
    for ((i = 0; i < RUNS; i++)); do
        t0=$(date +%s%N)
        /usr/bin/time -v -o "$WORK/time" bash -c "$cmd" >"$WORK/out" 2>"$WORK/err"
        rc=$?
        t1=$(date +%s%N)
        if [[ " $ok " != *" $rc "* ]]; then
            failed=$rc
            break
        fi
        walls+=($((t1 - t0)))
        rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time")
        ((rss > maxrss)) && maxrss=$rss
        printf ' %6.2fs' "$(awk -v ns=$((t1 - t0)) 'BEGIN { print ns/1e9 }')"
    done
    NAMES+=("$name")
    if ((failed)); then
        echo "  FAILED (exit $failed); stderr:"
        head -n 20 "$WORK/err" | sed 's/^/      /'
        MEDIANS+=("")
        RSSES+=("")
        STATUS+=("failed (exit $failed)")
        return
    fi
    local median
    median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    MEDIANS+=("$median")
    RSSES+=("$maxrss")
    STATUS+=("ok")
    echo
    cp "$WORK/out" "$WORK/out.$((${#NAMES[@]} - 1))"
}

echo "== $RUNS runs each (wall seconds):"
if [ $BUILT = 1 ]; then
    # `check` exits 1 when an invariant FAILs: still a completed run.
    measure 'flinkha check FILE' '"$BIN" check "$LOG"' '0 1'
    I_CHECK=$((${#NAMES[@]} - 1))
    measure 'flinkha events FILE > /dev/null' '"$BIN" events "$LOG" >/dev/null'
    I_EVENTS=$((${#NAMES[@]} - 1))
    measure 'cat FILE | flinkha events > /dev/null' 'cat "$LOG" | "$BIN" events >/dev/null'
    I_STDIN=$((${#NAMES[@]} - 1))
fi
measure 'e2e HA grep pipeline (5 greps)' "$E2E"
measure "grep -c 'Completed checkpoint' FILE" 'grep -c "Completed checkpoint" "$LOG"'
I_GREP=$((${#NAMES[@]} - 1))
measure 'wc -l FILE' 'wc -l "$LOG"'
I_WC=$((${#NAMES[@]} - 1))

# ---- table ---------------------------------------------------------------------------------
G=${MEDIANS[$I_GREP]}
W=${MEDIANS[$I_WC]}
echo
echo "== results: $MIB MiB ($FILESIZE bytes), median of $RUNS, LC_ALL=C"
printf '%-40s %9s %9s %9s %9s %9s\n' command 'median s' 'MiB/s' 'x grep-c' 'x wc-l' 'RSS MiB'
for i in "${!NAMES[@]}"; do
    if [ "${STATUS[$i]}" != ok ]; then
        printf '%-40s %s\n' "${NAMES[$i]}" "${STATUS[$i]}"
        continue
    fi
    awk -v n="${NAMES[$i]}" -v m="${MEDIANS[$i]}" -v g="$G" -v w="$W" -v r="${RSSES[$i]}" -v b="$FILESIZE" 'BEGIN {
        s = m / 1e9
        rg = (g == "" ? "-" : sprintf("%.2f", m / g)); rw = (w == "" ? "-" : sprintf("%.2f", m / w))
        printf "%-40s %9.3f %9.0f %9s %9s %9.1f\n", n, s, b / 1048576 / s, rg, rw, r / 1024 }'
done

# ---- targets -------------------------------------------------------------------------------
echo
echo "== targets"
verdict() { if [ "$1" = 1 ]; then echo PASS; else echo MISS; fi; }
if [ $BUILT = 1 ]; then
    C=${MEDIANS[$I_CHECK]}
    if [ -n "$C" ] && [ -n "$G" ]; then
        ok=$(awk -v c="$C" -v g="$G" 'BEGIN { print (c <= 3 * g) ? 1 : 0 }')
        printf '%s  flinkha check <= 3x grep -c time: %.2fx (%.3f s vs %.3f s)\n' "$(verdict "$ok")" \
            "$(awk -v c="$C" -v g="$G" 'BEGIN { print c / g }')" "$(awk -v c="$C" 'BEGIN { print c/1e9 }')" "$(awk -v g="$G" 'BEGIN { print g/1e9 }')"
    else
        echo "MISS  flinkha check <= 3x grep -c time: flinkha check did not complete"
    fi
    S=${MEDIANS[$I_STDIN]}
    if [ -n "$S" ]; then
        rate=$(awk -v s="$S" -v b="$FILESIZE" 'BEGIN { printf "%.0f", b / 1048576 / (s / 1e9) }')
        printf '%s  single-thread stdin parsing (cat | flinkha events) >= 400 MiB/s: %s MiB/s\n' "$(verdict "$((rate >= 400))")" "$rate"
    else
        echo "MISS  single-thread stdin parsing >= 400 MiB/s: cat | flinkha events did not complete"
    fi
    worst=0
    complete=1
    for i in $I_CHECK $I_EVENTS $I_STDIN; do
        r=${RSSES[$i]}
        if [ -z "$r" ]; then complete=0; continue; fi
        ((r > worst)) && worst=$r
    done
    if [ $complete = 1 ]; then
        printf '%s  peak RSS of flinkha <= 64 MiB at %s: %.1f MiB (largest of check / events / stdin)\n' \
            "$(verdict "$((worst <= 65536))")" "$SIZE" "$(awk -v r="$worst" 'BEGIN { print r/1024 }')"
    else
        echo "MISS  peak RSS of flinkha <= 64 MiB at $SIZE: not every flinkha command completed"
    fi
    if [ -n "$C" ] && [ -s "$WORK/out.$I_CHECK" ]; then
        echo
        echo "== flinkha check FILE (last run's report, first 25 lines)"
        head -n 25 "$WORK/out.$I_CHECK" | sed 's/^/   /'
    fi
else
    echo "MISS  (no flinkha binary: every flinkha target)"
fi
