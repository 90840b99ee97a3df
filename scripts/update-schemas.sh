#!/usr/bin/env bash
# Regenerates docs/schemas/*.schema.json from the model types (`ttx schema KIND`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
for kind in program architecture roster scenario decisions profile; do
  ./target/debug/ttx schema "$kind" > "docs/schemas/$kind.schema.json"
done
echo "updated docs/schemas"
