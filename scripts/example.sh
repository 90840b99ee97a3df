#!/usr/bin/env bash
# The main job on the shipped example program, end to end: validate Acme's program, play a
# recorded exercise through the engine into a journal, verify the journal, and write the
# after-action report (Markdown and HTML). Everything it writes goes to
# examples/acme/journals/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
ttx=$PWD/target/debug/ttx
cd examples/acme
"$ttx" validate .
journal=journals/example-textbook.jsonl
rm -f "$journal" "$journal.lock" "$journal.torn"
"$ttx" run --decisions sessions/2026-05-14-textbook.yaml --journal "$journal"
"$ttx" verify "$journal"
"$ttx" report "$journal" -o journals/example-aar.md
"$ttx" report "$journal" --format html -o journals/example-aar.html
echo "the after-action report: examples/acme/journals/example-aar.md (and .html)"
