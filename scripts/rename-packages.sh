#!/usr/bin/env bash
# Renames the workspace's packages to the names they are published under on crates.io
# (issue 11 item 9; the short names belong to other projects there). Folders keep their names.
#
#   crates/imap-codec    imap-codec    -> mailproto-imap-codec    (lib imap_codec    -> mailproto_imap_codec)
#   crates/imap-session  imap-session  -> mailproto-imap-session  (lib imap_session  -> mailproto_imap_session)
#   crates/pop3-codec    pop3-codec    -> mailproto-pop3-codec    (lib pop3_codec    -> mailproto_pop3_codec)
#   crates/pop3-session  pop3-session  -> mailproto-pop3-session  (lib pop3_session  -> mailproto_pop3_session)
#
# mailproto-core, mailproto-derive, mailtrace, mailconform (and mailproto-sasl) keep theirs.
#
# What it does, purely mechanically:
# 1. each renamed crate's Cargo.toml: `name = "OLD"` -> `name = "NEW"`;
# 2. every dependency on a renamed crate by path, in every Cargo.toml of the workspace, fuzz/
#    and benches/ (`OLD = { path = ... }`, without `package =`), gets `package = "NEW"`: the
#    dependency keeps its key, so the dependents' code keeps `use imap_codec::...`
#    (`OLD.workspace = true` inherits the `package` of [workspace.dependencies]); a path
#    dependency (not dev-) of a crate under crates/ without a version gets the workspace's;
# 3. inside each renamed crate's own folder (src/, tests/, examples/, benches/, README.md),
#    its own crate name in paths becomes the new lib name: `OLD_LIB::` and `use OLD_LIB` ->
#    `NEW_LIB` (doctests and integration tests see the crate under its lib name); the root
#    README.md, compiled as doctests of imap-session, gets the same for `imap_session`;
# 4. command lines in scripts and docs: `-p OLD`, `--package OLD`, `--features OLD/feature`
#    -> NEW (the root README, .ci/run, docs/, fuzz/, examples' doc comments);
# 5. refreshes the three lockfiles (workspace, fuzz/, benches/) without touching versions, and
#    runs `cargo fmt --all` (rustfmt orders imports by name: renamed ones move);
# 6. checks that nothing was missed (and fails if something was).
#
# Idempotent: every rewrite matches only the old form, so a second run changes nothing. The
# integrator re-runs it after merging branches that still use the old names.
set -euo pipefail
cd "$(dirname "$0")/.."

# folder old-package new-package
renames=(
    "imap-codec imap-codec mailproto-imap-codec"
    "imap-session imap-session mailproto-imap-session"
    "pop3-codec pop3-codec mailproto-pop3-codec"
    "pop3-session pop3-session mailproto-pop3-session"
)

manifests() {
    git ls-files -co --exclude-standard -- 'Cargo.toml' '*/Cargo.toml' | grep -v '/target/' || true
}

for entry in "${renames[@]}"; do
    read -r folder old new <<<"$entry"
    old_lib=${old//-/_}
    new_lib=${new//-/_}
    dir="crates/$folder"
    [ -f "$dir/Cargo.toml" ] || { echo "missing $dir/Cargo.toml" >&2; exit 1; }

    # 1. The package's own name (only the exact old name: [[bin]]/[[test]] names differ).
    OLD="$old" NEW="$new" perl -pi -e 's/^name = "\Q$ENV{OLD}\E"$/name = "$ENV{NEW}"/' "$dir/Cargo.toml"

    # 2. Path dependencies on it, everywhere, keep their key and name the package.
    manifests | while read -r m; do
        OLD="$old" NEW="$new" perl -pi -e '
            if (/^\s*\Q$ENV{OLD}\E\s*=\s*\{/ && /\bpath\s*=/ && !/\bpackage\s*=/) {
                s/^(\s*\Q$ENV{OLD}\E\s*=\s*\{\s*)/$1package = "$ENV{NEW}", /;
            }' "$m"
    done

    # 3. The crate's own lib name in its own folder (doc comments, tests, examples, README).
    git ls-files -co --exclude-standard -- "$dir" | grep -E '\.(rs|md)$' | while read -r f; do
        OLD_LIB="$old_lib" NEW_LIB="$new_lib" perl -pi -e '
            s/(?<![\w-])\Q$ENV{OLD_LIB}\E(?=::)/$ENV{NEW_LIB}/g;
            s/\b(use|crate)\s+\Q$ENV{OLD_LIB}\E\b/$1 $ENV{NEW_LIB}/g;' "$f"
    done

    # 4. Command lines naming the package.
    git ls-files -co --exclude-standard -- '*.md' '*.sh' '*.rs' '*.yml' '*.yaml' '.ci/run' \
        | grep -vE '^(corpus|target)/' | while read -r f; do
        OLD="$old" NEW="$new" perl -pi -e '
            s/(-p |--package[ =])\Q$ENV{OLD}\E(?![\w-])/$1$ENV{NEW}/g;
            1 while s/(--features[ =]\S*?)(?<![\w-])\Q$ENV{OLD}\E\//$1$ENV{NEW}\//;' "$f"
    done
done

# 2 (continued). A path dependency of a published crate needs a version too (crates.io drops
# `path`); branches that add one with a path only get the workspace version. Dev-dependencies
# are left alone: without a version cargo drops them from the package, on purpose (deny.toml).
workspace_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
for m in crates/*/Cargo.toml; do
    V="$workspace_version" perl -pi -e '
        if (/^\s*\[/) { $dev = /dev-dependencies/ ? 1 : 0; $deps = /dependencies/ ? 1 : 0; }
        elsif ($deps && !$dev && /^\s*[\w-]+\s*=\s*\{/ && /\bpath\s*=/ && !/\bversion\s*=/) {
            s/(\bpath\s*=\s*"[^"]*")/$1, version = "$ENV{V}"/;
        }' "$m"
done

# 3 (continued). The root README is compiled as doctests of imap-session (see its lib.rs).
perl -pi -e 's/(?<![\w-])imap_session(?=::)/mailproto_imap_session/g;
             s/\buse\s+imap_session\b/use mailproto_imap_session/g;' README.md

# 5. Lockfiles: package names changed; no version moves (metadata only, offline when the
#    registry cache allows).
for m in Cargo.toml fuzz/Cargo.toml benches/Cargo.toml; do
    cargo metadata --offline --format-version 1 --manifest-path "$m" >/dev/null 2>&1 \
        || cargo metadata --format-version 1 --manifest-path "$m" >/dev/null
done

# 5 (continued). rustfmt orders imports by name: `use mailproto_...` moves among the others.
cargo fmt --all

# 6. Nothing left behind.
status=0
for entry in "${renames[@]}"; do
    read -r folder old new <<<"$entry"
    old_lib=${old//-/_}
    if grep -n "^name = \"$old\"$" "crates/$folder/Cargo.toml"; then status=1; fi
    # a path dependency on the old package without `package =`, or a dotted-table form
    if manifests | xargs grep -nE "^\s*$old\s*=\s*\{.*\bpath\s*=" | grep -v 'package *='; then status=1; fi
    if manifests | xargs grep -nE "^\[(dev-|build-)?dependencies\.$old\]"; then
        echo "a [dependencies.$old] table: add package = \"$new\" by hand" >&2
        status=1
    fi
    if git ls-files -co --exclude-standard -- "crates/$folder" | grep -E '\.(rs|md)$' \
        | xargs grep -nE "(^|[^[:alnum:]_-])$old_lib::|use $old_lib\b"; then status=1; fi
done
if [ "$status" -ne 0 ]; then
    echo "rename-packages: the lines above still use an old name" >&2
    exit 1
fi
echo "rename-packages: done"
