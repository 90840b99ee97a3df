#!/usr/bin/env bash
# The main job on the shipped example program, end to end: play a recorded exercise of
# Acme Outfitters through the engine into a journal, verify the journal, and write its
# after-action report (HTML and Markdown), then say where to open it. It also plays Acme's
# other recorded exercises into journals/ (the journals the shipped ledger was entered
# from), which the README's tour uses. Everything it writes goes to examples/acme/journals/,
# which git ignores. TTX=path/to/ttx uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TTX:-}" ]; then
  cargo build --quiet
  # Where cargo put it: `CARGO_TARGET_DIR` (relative to here) when set, else target/.
  target=${CARGO_TARGET_DIR:-target}
  case $target in /*) ;; *) target=$PWD/$target ;; esac
  TTX=$target/debug/ttx
fi
cd examples/acme
shown=2026-05-14-slow-red-herring
for sheet in sessions/*.yaml; do
  name=$(basename "$sheet" .yaml)
  rm -f "journals/$name.jsonl" "journals/$name.jsonl.lock" "journals/$name.jsonl.torn"
  if [ "$name" != "$shown" ]; then
    "$TTX" run --decisions "$sheet" --journal "journals/$name.jsonl" > /dev/null
  fi
done
# The exercise shown: the room that chased a red herring and came out with findings.
journal=journals/$shown.jsonl
"$TTX" run --decisions "sessions/$shown.yaml" --journal "$journal"
"$TTX" verify "$journal"
"$TTX" report "$journal" --format html -o journals/example-aar.html
"$TTX" report "$journal" -o journals/example-aar.md
echo
echo "The after-action report: open file://$PWD/journals/example-aar.html in a browser"
echo "(Markdown: examples/acme/journals/example-aar.md; Acme's other recorded exercises are in examples/acme/journals/)"
