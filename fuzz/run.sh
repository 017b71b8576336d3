#!/usr/bin/env bash
# Builds the MXNet format fuzzers (symbol_fuzzer, params_fuzzer) with
# clang++-22 and -fsanitize=fuzzer,address,undefined, then runs each for a
# bounded time. See fuzz/README.md.
#
#   fuzz/run.sh [SECONDS_PER_TARGET]     default 600; 0 = build only
#
# Environment:
#   FUZZ_TARGETS="symbol params"   which targets to run
#   FUZZ_PARALLEL=1                run the targets at once (one worker each);
#                                  0 = one after the other
#   FUZZ_BUILD=build-fuzz          build and scratch folder (git-ignored)
#   Q_SHARED_DIR=../shared         where the shared models live (seeds, read
#                                  in place, never copied into the repo)
#   Q_FUZZ_STRICT=1                also abort on the known issues (README)
#   FUZZ_MAX_LEN=65536             -max_len for generated inputs (larger
#                                  seeds are replayed in full first, then
#                                  truncated to this for mutation)
#   FUZZ_EXTRA_ARGS="..."          more libFuzzer flags for every target
#
# Exit status: 0 when every target ran its time without a crash, leak,
# timeout or OOM artifact; 1 otherwise (the artifacts are listed); 2 when
# the build fails.
set -euo pipefail

secs="${1:-600}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build="${FUZZ_BUILD:-$repo/build-fuzz}"
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
shared="${Q_SHARED_DIR:-$repo/../shared}"
targets="${FUZZ_TARGETS:-symbol params}"
parallel="${FUZZ_PARALLEL:-1}"

CXX="${CXX_FUZZ:-clang++-22}"
LLVM_PREFIX="${LLVM_PREFIX:-/usr/lib/llvm-22}"

# --- toolchain (idempotent; installs only what is missing) --------------------
fuzzer_rt() {
  ls "$LLVM_PREFIX"/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
     "$LLVM_PREFIX"/lib/clang/*/lib/x86_64-*/libclang_rt.fuzzer.a 2>/dev/null | head -1
}
need=()
command -v "$CXX" >/dev/null 2>&1 || need+=(clang-22)
[ -n "$(fuzzer_rt)" ] || need+=(libclang-rt-22-dev)
[ -f "$LLVM_PREFIX/include/llvm/Support/JSON.h" ] || need+=(llvm-22-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "fuzz: missing ${need[*]}; run as root or: apt-get install -y ${need[*]}" >&2
    exit 2
  fi
  echo "fuzz: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 || {
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}"
  }
fi

# --- build --------------------------------------------------------------------
mkdir -p "$build"
lib_srcs=(lib/Translate/MXNetAttrs.cpp lib/Translate/MXNetParams.cpp
          lib/Translate/MXNetSymbol.cpp)
# No -DNDEBUG: the library's own asserts stay on. -fno-rtti/-fno-exceptions
# match Debian's libLLVM (built without RTTI), which the fuzzers link against.
cxxflags=(-std=c++17 -g -O1 -fno-omit-frame-pointer -fno-rtti -fno-exceptions
          -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
          -I"$repo/include" -I"$LLVM_PREFIX/include"
          -D_GNU_SOURCE -D__STDC_CONSTANT_MACROS -D__STDC_FORMAT_MACROS
          -D__STDC_LIMIT_MACROS)
ldflags=(-L"$LLVM_PREFIX/lib" -lLLVM -Wl,-rpath,"$LLVM_PREFIX/lib")

build_one() { # name
  local name="$1" bin="$build/${1}_fuzzer" src="$here/${1}_fuzzer.cpp"
  local inputs=("$src" "${lib_srcs[@]/#/$repo/}" "$repo/include/QDialect/Translate/MXNetFormat.h" "$here/run.sh")
  local stale=0 f
  [ -x "$bin" ] || stale=1
  for f in "${inputs[@]}"; do [ "$f" -nt "$bin" ] && stale=1; done
  if [ $stale -eq 0 ]; then
    echo "fuzz: $bin is up to date"
    return 0
  fi
  echo "fuzz: building $bin"
  "$CXX" "${cxxflags[@]}" "$src" "${lib_srcs[@]/#/$repo/}" "${ldflags[@]}" -o "$bin.tmp"
  mv "$bin.tmp" "$bin"
}
for t in $targets; do
  build_one "$t" || { echo "fuzz: build of ${t}_fuzzer failed" >&2; exit 2; }
done
[ "$secs" = 0 ] && { echo "fuzz: built (0 seconds requested, not running)"; exit 0; }

# --- seeds --------------------------------------------------------------------
# Shared model files are linked (not copied) into a scratch seed folder, since
# libFuzzer takes corpus folders, not single files.
seed_dir() { # target
  local t="$1" d="$build/seeds-$1" f
  rm -rf "$d"; mkdir -p "$d"
  if [ -d "$shared/models" ]; then
    if [ "$t" = symbol ]; then
      for f in "$shared"/models/*/*-symbol.json; do [ -f "$f" ] && ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$d/"; done
    else
      for f in "$shared"/models/*/*.params; do [ -f "$f" ] && ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$d/"; done
    fi
  else
    echo "fuzz: no $shared/models; using the committed seeds only" >&2
  fi
  echo "$d"
}

# --- replay -------------------------------------------------------------------
# Every seed once, in full (fuzzing truncates inputs to -max_len): the shared
# models and the committed seeds must pass all checks.
replay_one() { # target
  local t="$1" seeds files
  seeds="$(seed_dir "$t")"
  mapfile -t files < <(find -L "$here/corpus/$t" "$seeds" -type f | sort)
  [ ${#files[@]} -gt 0 ] || return 0
  if "$build/${t}_fuzzer" -rss_limit_mb=2048 -timeout=10 "${files[@]}" >"$build/$t.replay.log" 2>&1; then
    echo "fuzz: ${t}_fuzzer: replayed ${#files[@]} seed files: ok"
  else
    echo "fuzz: ${t}_fuzzer: seed replay FAILED (see $build/$t.replay.log)" >&2
    grep -E '^\*\*\* |^==[0-9]+==ERROR|SUMMARY:|^Running: ' "$build/$t.replay.log" | tail -4 | sed 's/^/fuzz:   /' >&2
    return 1
  fi
}
replay_status=0
for t in $targets; do replay_one "$t" || replay_status=1; done

# --- run ----------------------------------------------------------------------
run_one() { # target
  local t="$1" bin="$build/${1}_fuzzer"
  local corpus="$build/corpus-$t" art="$build/artifacts-$t/" log="$build/$t.log"
  local seeds; seeds="$(seed_dir "$t")"
  mkdir -p "$corpus" "$art"
  local dict="$here/$t.dict" extra=()
  [ -f "$dict" ] && extra+=(-dict="$dict")
  local start=$SECONDS st=0
  # shellcheck disable=SC2086
  "$bin" "$corpus" "$here/corpus/$t" "$seeds" \
    -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -timeout=10 -max_len="${FUZZ_MAX_LEN:-65536}" -artifact_prefix="$art" \
    -print_final_stats=1 "${extra[@]}" ${FUZZ_EXTRA_ARGS:-} >"$log" 2>&1 || st=$?
  echo $((SECONDS - start)) >"$build/$t.elapsed"
  return $st
}

# One process per target (no -jobs/-workers: the machine has few cores).
cd "$build"
rm -rf "$build"/artifacts-*/
declare -A rc
if [ "$parallel" = 1 ]; then
  declare -A pid
  for t in $targets; do
    echo "fuzz: running ${t}_fuzzer for ${secs}s (log: $build/$t.log)"
    run_one "$t" &
    pid[$t]=$!
  done
  for t in $targets; do
    if wait "${pid[$t]}"; then rc[$t]=0; else rc[$t]=$?; fi
  done
else
  for t in $targets; do
    echo "fuzz: running ${t}_fuzzer for ${secs}s (log: $build/$t.log)"
    if run_one "$t"; then rc[$t]=0; else rc[$t]=$?; fi
  done
fi

# --- summary ------------------------------------------------------------------
status=$replay_status
for t in $targets; do
  log="$build/$t.log"
  execs=$(awk '/^stat::number_of_executed_units:/ {v=$2} END {print v}' "$log")
  speed=$(awk '/^stat::average_exec_per_sec:/ {v=$2} END {print v}' "$log")
  last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov:' | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  ncorp=$(find "$build/corpus-$t" -type f | wc -l)
  kb=$(du -sk "$build/corpus-$t" | awk '{print $1}')
  arts=$(find "$build/artifacts-$t" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | grep -v slow-unit || true)
  ncrash=$(grep -c . <<<"$arts" || true)
  elapsed=$(cat "$build/$t.elapsed" 2>/dev/null || echo "?")
  echo "fuzz: ${t}_fuzzer: ${elapsed}s of ${secs}s, execs=${execs:-?}, exec/s=${speed:-?}, cov=${cov:-?}, ft=${ft:-?}, corpus=${ncorp} files/${kb}KB, crashes=${ncrash}, exit=${rc[$t]}"
  if [ "$ncrash" -gt 0 ] || [ "${rc[$t]}" -ne 0 ]; then
    status=1
    [ -n "$arts" ] && sed 's/^/fuzz:   artifact: /' <<<"$arts"
    grep -E '^\*\*\* |^==[0-9]+==ERROR|SUMMARY:' "$log" | head -5 | sed 's/^/fuzz:   /' || true
  fi
done
exit $status
