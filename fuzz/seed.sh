#!/usr/bin/env bash
# Fills fuzz/corpus/TARGET with seeds from the shipped files: scenarios, decisions
# sheets, the broken inputs of tests/bad, conditions and scripts taken from the scenarios,
# and the example program's ledger and journals (run scripts/acme-history.sh first for the
# journals).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/{scenario,decisions,condition,journal}
cp scenarios/*.yaml tests/run/*.yaml tests/bad/scenario/*.yaml fuzz/corpus/scenario/
cp examples/acme/sessions/*.yaml tests/bad/decisions/*.yaml fuzz/corpus/decisions/
n=0
grep -hoE '(when|effect|setup): .*' scenarios/*.yaml tests/run/*.yaml | sed -E 's/^(when|effect|setup): //' |
  while IFS= read -r line; do n=$((n + 1)); printf '%s' "$line" > "fuzz/corpus/condition/seed-$n"; done
printf 'let x = 0; while true { x += 1; }' > fuzz/corpus/condition/loop
printf 'fn f(n) { f(n + 1) } f(0)' > fuzz/corpus/condition/recursion
printf 'state.truth = pick(["a", "b"]); state.n = roll(1, 6);' > fuzz/corpus/condition/draws
cp examples/acme/ledger.jsonl fuzz/corpus/journal/ledger.jsonl
for j in examples/acme/journals/2*.jsonl; do [ -e "$j" ] && cp "$j" fuzz/corpus/journal/; done
echo "seeded: $(ls fuzz/corpus/scenario | wc -l) scenario, $(ls fuzz/corpus/decisions | wc -l) decisions, $(ls fuzz/corpus/condition | wc -l) condition, $(ls fuzz/corpus/journal | wc -l) journal"
