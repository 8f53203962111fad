#!/usr/bin/env bash
# Opt-Out Lens build script.
#   ./build.sh          install what is missing, build dist/chrome, dist/firefox and the zips
#   ./build.sh test     build, then run every test (native, wasm in browsers, lint, end-to-end)
#   ./build.sh demo     build, then show the extension at work on bundled replica pages
#   ./build.sh bench    build, then measure speed and size (not part of the tests)
set -euo pipefail
cd "$(dirname "$0")"

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pinned in crate/Cargo.toml
GECKODRIVER_VERSION=0.37.1
CRATE=opt_out_lens_core
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
# Where the build goes (tests and demo read it from the same variable).
export DIST=${DIST:-dist}
# Reproducible zips: every file gets this time stamp.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-315532800}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 is missing: $2"; }

ensure_build_tools() {
  need cargo "install Rust with rustup (https://rustup.rs)"
  need node "install Node.js 20 or newer"
  need npm "install npm (comes with Node.js)"
  need zip "install zip (apt-get install zip)"
  if ! cargo clippy --version >/dev/null 2>&1; then
    say "adding clippy"
    rustup component add clippy
  fi
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
    # Not --locked: the CLI's own lockfile fails to resolve on current cargo.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dev packages from package-lock.json"
    npm ci --no-audit --no-fund
  fi
}

ensure_test_tools() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v firefox-esr >/dev/null || missing+=(firefox-esr)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing ${missing[*]} with apt-get"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      die "missing browsers: run 'sudo apt-get install ${missing[*]}' (Debian) and retry"
    fi
  fi
  if [ "$(geckodriver --version 2>/dev/null | head -1 | awk '{print $2}')" != "$GECKODRIVER_VERSION" ]; then
    say "installing geckodriver $GECKODRIVER_VERSION (about 2 minutes)"
    cargo install geckodriver --version "$GECKODRIVER_VERSION" --force
  fi
}

build_wasm() {
  say "compiling the core to wasm"
  # Paths of this checkout must not end up in the wasm (panic locations), or two
  # checkouts of one commit would build different bytes.
  mkdir -p target
  RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$PWD=. --remap-path-prefix=$HOME=~" \
    cargo build --release --target wasm32-unknown-unknown -p opt-out-lens-core \
    --message-format=json-render-diagnostics > target/cargo-messages.json
  # The catalogue as JSON for the tests (tests/lib/catalogue.mjs): build.rs writes it
  # beside the statics it generates, from the same parsed rules.
  node -e '
    const fs = require("fs");
    const dir = fs.readFileSync("target/cargo-messages.json", "utf8").split("\n").filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l)).find((m) => m.reason === "build-script-executed" && /opt-out-lens-core/.test(m.package_id))?.out_dir;
    if (!dir) { console.error("build.sh: no catalogue.json reported by the core build"); process.exit(1); }
    fs.copyFileSync(dir + "/catalogue.json", "target/catalogue.json");'
  local pkg=target/pkg stamp
  # wasm-bindgen and wasm-opt again only when their input or they changed: the same core
  # gives the same output (a rebuild with no change in crate/ takes seconds, not a minute).
  stamp="$(sha256sum "target/wasm32-unknown-unknown/release/$CRATE.wasm" | cut -d' ' -f1) $(wasm-bindgen --version) $(wasm-opt --version) $(sha256sum build.sh | cut -d' ' -f1)"
  if [ -f "$pkg/.stamp" ] && [ "$(cat "$pkg/.stamp")" = "$stamp" ] && [ -f "$pkg/${CRATE}_bg.wasm" ] && [ -f "$pkg/$CRATE.js" ]; then
    say "the core's wasm is unchanged: wasm-bindgen and wasm-opt output kept from the last build"
    return
  fi
  rm -rf "$pkg"
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir "$pkg" "target/wasm32-unknown-unknown/release/$CRATE.wasm"
  say "optimising with wasm-opt $(wasm-opt --version | awk '{print $3}')"
  # --low-memory-unused: the stack sits below the data and grows down from 1 MiB, so the
  # first 1 KiB is never used; knowing that lets wasm-opt fold address arithmetic into
  # load and store offsets (-2.6 KB raw, -1.5 KB gzipped).
  wasm-opt -Oz --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-reference-types --enable-multivalue --enable-mutable-globals \
    -o "$pkg/${CRATE}_bg.wasm" "$pkg/${CRATE}_bg.wasm"
  echo "$stamp" > "$pkg/.stamp"
}

assemble() {
  local browser=$1 out=$DIST/$1
  rm -rf "$out"
  mkdir -p "$out/core"
  cp -R extension/. "$out/"
  # Firefox takes managed options from policies.json and has no use for the schema.
  [ "$browser" = firefox ] && rm "$out/managed-schema.json"
  cp "target/pkg/$CRATE.js" "target/pkg/${CRATE}_bg.wasm" "$out/core/"
  node tools/locales.mjs "$out"
  node tools/page-rules.mjs target/pkg "$out"
  node tools/icons.mjs "$out/icons"
  node tools/manifest.mjs "$browser" "$out/manifest.json"
  node tools/bundle.mjs "$out"
  local zipfile
  zipfile="$(cd "$DIST" && pwd)/opt-out-lens-$VERSION-$browser.zip"
  rm -f "$zipfile"
  # Same inputs, same bytes: fixed time stamps, sorted names, no extra attributes.
  find "$out" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  (cd "$out" && find . -type f | LC_ALL=C sort | sed 's|^\./||' | zip -q -X -D -9 "$zipfile" -@)
}

build() {
  ensure_build_tools
  VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
  build_wasm
  mkdir -p "$DIST"
  assemble chrome
  assemble firefox
  say "built $DIST/chrome, $DIST/firefox and:"
  ls -l "$DIST"/*.zip | awk '{print "    " $5 " bytes  " $9}'
  printf '    wasm: %s bytes raw, %s gzipped\n' "$(wc -c < "$DIST/chrome/core/${CRATE}_bg.wasm")" \
    "$(gzip -9 -n -c "$DIST/chrome/core/${CRATE}_bg.wasm" | wc -c)"
}

# The end-to-end files, in the order node starts them (three at a time): the longest first,
# so that no long file starts last and runs alone; then the rest in name order.
E2E_LONG_FIRST="tests/e2e/firefox-jobs.test.mjs tests/e2e/chromium-jobs.test.mjs tests/e2e/firefox.test.mjs
  tests/e2e/hostile.test.mjs tests/e2e/privacy.test.mjs tests/e2e/entra.test.mjs tests/e2e/chromium.test.mjs
  tests/e2e/fidelity.test.mjs tests/e2e/categories.test.mjs"
# The files the stress mode repeats: the jobs, the category pages and the rendered copies.
E2E_STRESS="tests/e2e/chromium-jobs.test.mjs tests/e2e/firefox-jobs.test.mjs tests/e2e/categories.test.mjs tests/e2e/fidelity.test.mjs"

e2e_files() {
  local f all
  all=$(find tests -name '*.test.mjs' ! -name invariants.test.mjs ! -name messages.test.mjs | LC_ALL=C sort)
  for f in $E2E_LONG_FIRST; do echo "$f"; done
  for f in $all; do case " $(echo $E2E_LONG_FIRST) " in *" $f "*) ;; *) echo "$f" ;; esac; done
}

# Seconds since the phase began, for the summary at the end.
PHASES=()
phase_start=$SECONDS
phase_done() { PHASES+=("$(printf '%4d s  %s' $((SECONDS - phase_start)) "$1")"); phase_start=$SECONDS; }

# The Rust checks: clippy, the native tests, the fuzz targets, the wasm tests in both browsers.
rust_checks() {
  set -e
  echo "==> clippy (native and wasm32), warnings are errors"
  cargo clippy -p opt-out-lens-core --all-targets -- -D warnings
  cargo clippy -p opt-out-lens-core --all-targets --target wasm32-unknown-unknown -- -D warnings
  echo "==> native tests of the core"
  cargo test -p opt-out-lens-core
  # The fuzz targets build against the core as it is now (their own workspace), and the
  # boundary's one runs briefly; ./build.sh bench runs both longer.
  echo "==> fuzz targets: build, and 10 s of arbitrary JSON through the boundary"
  (cd crate/fuzz && cargo build --release --bin scan_loop --bin wire_loop && ./target/release/wire_loop 10)
  echo "==> wasm tests in headless Chromium"
  CHROMEDRIVER=$(command -v chromedriver) WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test -p opt-out-lens-core --target wasm32-unknown-unknown
  echo "==> wasm tests in headless Firefox"
  GECKODRIVER=$(command -v geckodriver) WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test -p opt-out-lens-core --target wasm32-unknown-unknown
}

run_tests() {
  ensure_test_tools
  if [ -n "${E2E_REPEAT:-}" ]; then
    stress_e2e "$E2E_REPEAT"
    return
  fi
  say "the architecture's invariants and the message declarations"
  node --test tests/invariants.test.mjs tests/messages.test.mjs
  phase_done "invariants and messages"
  # The end-to-end files mostly wait on the extension's real clock (page loads, settle and
  # verify times), the Rust checks mostly compute: they run side by side, the Rust checks
  # at a lower priority (their output is shown once the end-to-end files have finished). Three
  # end-to-end files at a time: each has its own servers, ports and browser profiles. The
  # managed-options test runs among them on its own copy of the build, the only extension
  # its Chromium policy names. web-ext lint of the Firefox build is one of the privacy tests.
  say "end-to-end tests in Chromium and Firefox, ${E2E_CONCURRENCY:-3} files at a time (beside them: clippy, native, fuzz and wasm tests)"
  local rust_log=target/rust-checks.log rust_pid e2e=0 rust=0 e2e_t0=$SECONDS
  mkdir -p target
  # At a lower priority (nice): the browsers get the CPU when they need it, cargo the rest.
  ( [ -z "${RUST_CHECK_JOBS:-}" ] || export CARGO_BUILD_JOBS=$RUST_CHECK_JOBS
    renice -n 10 -p "$BASHPID" > /dev/null
    rust_checks; echo "==> the Rust checks took $((SECONDS - e2e_t0)) s" ) > "$rust_log" 2>&1 &
  rust_pid=$!
  # shellcheck disable=SC2046
  node --test --test-concurrency="${E2E_CONCURRENCY:-3}" $(e2e_files) || e2e=$?
  phase_done "end-to-end files (wall time)"
  wait "$rust_pid" || rust=$?
  phase_done "waiting for the Rust checks after the end-to-end files"
  say "clippy, native, fuzz and wasm tests (ran beside the end-to-end tests)"
  cat "$rust_log"
  say "time per phase"
  printf '    %s\n' "${PHASES[@]}"
  [ "$rust" = 0 ] || die "Rust checks failed (exit $rust): see above"
  [ "$e2e" = 0 ] || die "end-to-end tests failed (exit $e2e)"
}

# E2E_REPEAT=N ./build.sh test: instead of the normal run, the job, category and fidelity
# files N times each, three at a time, beside one CPU-burning process per core, to find
# the tests that fail only sometimes or only under load. Every run is bounded (20 min), and
# so are the burners, which are also killed when this script exits in any way.
stress_e2e() {
  local rounds=$1 cores burners=() logdir=target/stress i f n=0 failed=0 running=0
  [[ "$rounds" =~ ^[1-9][0-9]*$ ]] && [ "$rounds" -le 50 ] || die "E2E_REPEAT must be a number from 1 to 50, not '$rounds'"
  cores=$(nproc)
  rm -rf "$logdir"
  mkdir -p "$logdir"
  say "stress run only (not the normal tests): $(echo $E2E_STRESS | wc -w) files x $rounds, three at a time, beside $cores CPU-burning processes"
  for ((i = 0; i < cores; i++)); do
    # Bounded even if this script is killed outright: each burner ends itself after a while.
    timeout $((rounds * 1500 + 600)) node -e 'for (;;) {}' &
    burners+=($!)
  done
  # On any exit (also Ctrl-C), the burners and the runs still going end with this script.
  STRESS_PIDS=("${burners[@]}")
  trap 'kill "${STRESS_PIDS[@]}" 2>/dev/null || true' EXIT
  trap 'exit 130' INT TERM
  local runs=()
  for ((i = 1; i <= rounds; i++)); do for f in $E2E_STRESS; do runs+=("$i:$f"); done; done
  declare -A pids=()
  for run in "${runs[@]}" ""; do
    # Three at a time: wait for one to end before starting the next (and all at the end).
    while [ "$running" -ge 3 ] || { [ -z "$run" ] && [ "$running" -gt 0 ]; }; do
      local done_pid=""
      wait -n -p done_pid "${!pids[@]}" && st=0 || st=$?
      local what=${pids[$done_pid]}
      unset "pids[$done_pid]"
      running=$((running - 1))
      if [ "$st" = 0 ]; then printf '    ok    %s\n' "$what"; else printf '    FAIL  %s (exit %s): %s\n' "$what" "$st" "$logdir/$(echo "$what" | tr '/: ' '___').log"; failed=$((failed + 1)); fi
    done
    [ -n "$run" ] || break
    n=$((n + 1))
    timeout 1200 node --test "${run#*:}" > "$logdir/$(echo "round ${run%%:*}: ${run#*:}" | tr '/: ' '___').log" 2>&1 &
    pids[$!]="round ${run%%:*}: ${run#*:}"
    STRESS_PIDS+=($!)
    running=$((running + 1))
  done
  kill "${burners[@]}" 2>/dev/null || true
  trap - EXIT INT TERM
  say "stress: $((n - failed)) of $n runs passed (logs in $logdir/)"
  [ "$failed" = 0 ] || die "$failed of $n stress runs failed"
}

case "${1:-build}" in
  build) build ;;
  test) build; phase_done "build"; run_tests ;;
  demo) build; ensure_test_tools; node tests/demo.mjs ;;
  bench) build; ensure_test_tools; node tests/bench/run.mjs ;;
  *) die "unknown command '$1' (use: build, test, demo, bench)" ;;
esac
