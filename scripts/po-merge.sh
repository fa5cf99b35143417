#!/usr/bin/env bash
# git merge driver for gettext catalogues (.gitattributes: *.po merge=po). Enable it once per clone:
#   git config merge.po.driver 'scripts/po-merge.sh %O %A %B'
# Both sides' entries are kept (ours first where both translate the same string); run
# scripts/update-messages.sh afterwards to drop the strings no source uses any more.
set -euo pipefail
base="$1" ours="$2" theirs="$3"
out=$(mktemp)
msgcat --use-first --no-wrap --sort-output -o "$out" "$ours" "$theirs"
# msgcat marks entries whose translations differed as fuzzy with both texts; keep ours cleanly instead.
mv "$out" "$ours"
