#!/usr/bin/env bash
# The release's files, as `git archive` gives them (modes 0664/0775 under
# git's default tar.umask 002), into DEST: what `make dist` packs, what
# make check-docker builds its image from, what make deb builds from.
#   scripts/source-tree.sh DEST
# In a git checkout: `git archive HEAD` (committed files only). In a tree
# extracted from a release tarball (no .git): its files, modes kept.
set -euo pipefail
dest=$1
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dest"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
   [ "$(git -C "$src" rev-parse --show-toplevel)" = "$src" ]; then
  git -C "$src" archive --format=tar HEAD | tar -C "$dest" -xf -
else
  tar -C "$src" --exclude='./build' --exclude='./build-*' -cf - . | tar -C "$dest" -xf -
fi
