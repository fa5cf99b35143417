#!/usr/bin/env bash
# Collect every translatable string of jaga/ into the catalogues (English and Indonesian), then report what
# still needs an English translation. Source strings are Indonesian, so the id catalogue stays identity.
# Afterwards: translate the new entries in jaga/locale/en/LC_MESSAGES/django.po (tests/test_i18n.py fails
# while any is empty or fuzzy); `make messages` compiles them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export JAGA_DATA_DIR="${JAGA_DATA_DIR:-/tmp/jaga-messages}"
cd "$root/jaga"
"$root/.venv/bin/jaga" makemessages -l en -l id \
  --ignore '.venv/*' --ignore 'tests/*' --ignore '*/tests/*' --ignore 'demo/templates/*' \
  --add-location file --no-obsolete -v 0
po="$root/jaga/locale/en/LC_MESSAGES/django.po"
untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
# msgattrib prints the header too when anything is listed: subtract it.
[ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
[ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
echo "English catalogue: $untranslated untranslated, $fuzzy fuzzy ($po)"
