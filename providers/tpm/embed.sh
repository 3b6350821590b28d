#!/bin/sh
# embed.sh SYMBOL FILE: print a C file defining `const char SYMBOL[]` with FILE's text.
set -eu
printf '/* Generated from %s by embed.sh: do not edit. */\n' "$2"
printf 'extern const char %s[];\nconst char %s[] =\n' "$1" "$1"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$/\\n"/' "$2"
printf ';\n'
