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
  local pkg=target/pkg
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

run_tests() {
  ensure_test_tools
  say "the architecture's invariants and the message declarations"
  node --test tests/invariants.test.mjs tests/messages.test.mjs
  say "clippy (native and wasm32), warnings are errors"
  cargo clippy -p opt-out-lens-core --all-targets -- -D warnings
  cargo clippy -p opt-out-lens-core --all-targets --target wasm32-unknown-unknown -- -D warnings
  say "native tests of the core"
  cargo test -p opt-out-lens-core
  # The fuzz targets build against the core as it is now (their own workspace), and the
  # boundary's one runs briefly; ./build.sh bench runs both longer.
  say "fuzz targets: build, and 10 s of arbitrary JSON through the boundary"
  (cd crate/fuzz && cargo build --release --bin scan_loop --bin wire_loop && ./target/release/wire_loop 10)
  # The wasm tests (cargo runs one browser after the other) run beside the end-to-end
  # files; their output is shown once those have finished.
  say "compiling the wasm tests"
  cargo test -p opt-out-lens-core --target wasm32-unknown-unknown --no-run
  local wasm_log=target/wasm-tests.log wasm_pid
  (
    set -e
    echo "==> wasm tests in headless Chromium"
    CHROMEDRIVER=$(command -v chromedriver) WASM_BINDGEN_TEST_TIMEOUT=120 \
      cargo test -p opt-out-lens-core --target wasm32-unknown-unknown
    echo "==> wasm tests in headless Firefox"
    GECKODRIVER=$(command -v geckodriver) WASM_BINDGEN_TEST_TIMEOUT=120 \
      cargo test -p opt-out-lens-core --target wasm32-unknown-unknown
  ) > "$wasm_log" 2>&1 &
  wasm_pid=$!
  # web-ext lint of the Firefox build (no errors, no warnings) is one of the privacy tests.
  # Three test files at a time: each has its own servers, ports and browser profiles, and
  # they mostly wait on the extension's real clock (node starts them in name order). The
  # managed-options test runs alone afterwards: its Chromium policy applies to every
  # Chromium that loads this dist/chrome.
  say "end-to-end tests in Chromium and Firefox, three files at a time (and the wasm tests)"
  local files e2e=0 wasm=0
  files=$(find tests -name '*.test.mjs' ! -name managed.test.mjs | LC_ALL=C sort)
  # shellcheck disable=SC2086
  node --test --test-concurrency="${E2E_CONCURRENCY:-3}" $files || e2e=$?
  wait "$wasm_pid" || wasm=$?
  say "wasm tests in headless Chromium and Firefox (ran beside the end-to-end tests)"
  cat "$wasm_log"
  [ "$wasm" = 0 ] || die "wasm tests failed (exit $wasm)"
  [ "$e2e" = 0 ] || die "end-to-end tests failed (exit $e2e)"
  say "managed options through a Chromium policy"
  node --test tests/e2e/managed.test.mjs
}

case "${1:-build}" in
  build) build ;;
  test) build; run_tests ;;
  demo) build; ensure_test_tools; node tests/demo.mjs ;;
  bench) build; ensure_test_tools; node tests/bench/run.mjs ;;
  *) die "unknown command '$1' (use: build, test, demo, bench)" ;;
esac
