#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script: builds every cargo-fuzz target of fuzz/ and puts
# into $OUT, per target: the fuzzer binary, <target>_seed_corpus.zip (generated from the
# trace corpus, corpus/**/*.trace) and <target>.dict.
#
# Variables (set by the services; set them by hand to run it locally, see docs/fuzzing.md):
#   $SRC   where the project is checked out ($SRC/mailproto, or $PROJECT_DIR)
#   $OUT   where the fuzzers, seed zips and dictionaries go
#   $WORK  scratch space
#   $CARGO_BUILD_TARGET  the target triple cargo-fuzz builds for (default x86_64-unknown-linux-gnu)
project=${PROJECT_DIR:-$SRC/mailproto}
cd "$project"
triple=${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}

# The fuzzers, with the services' sanitizer flags (the base image's cargo passes them on).
cargo fuzz build -O
release=fuzz/target/$triple/release

# The seed generator is an ordinary program: no sanitizer, its own target directory.
env -u RUSTFLAGS -u CARGO_BUILD_TARGET cargo run --quiet --release \
    --manifest-path fuzz/seedgen/Cargo.toml --target-dir "$WORK/seedgen-target" \
    -- corpus "$WORK/seeds"

for target in $(cargo fuzz list); do
    cp "$release/$target" "$OUT/"
    case $target in
        imap_*) dict=imap ;;
        pop3_*) dict=pop3 ;;
        *) dict=mailtrace ;;
    esac
    cp "fuzz/dict/$dict.dict" "$OUT/$target.dict"
    rm -f "$OUT/${target}_seed_corpus.zip"
    if [ -d "$WORK/seeds/$target" ]; then
        (cd "$WORK/seeds/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
done
