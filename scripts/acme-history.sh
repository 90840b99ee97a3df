#!/usr/bin/env bash
# Rebuilds the example program's history: plays every recorded session of examples/acme
# into journals/, enters the exercises into the ledger in the order they happened, and
# records the follow-up between them (status changes, reassignments, a tracker import)
# on the days it happened. It documents how the shipped ledger.jsonl came about; a test
# runs it on a copy and checks the result is byte for byte the shipped file.
#
#   scripts/acme-history.sh [PROGRAM_DIR]      (TTX=path/to/ttx to use a built binary)
set -euo pipefail
cd "${1:-$(dirname "$0")/../examples/acme}"
ttx() { ${TTX:-cargo run -q --} "$@"; }
on() { export TTX_NOW="${1}T17:00:00Z"; }
rm -f ledger.jsonl ledger.jsonl.torn

for s in sessions/*.yaml; do
  name=$(basename "$s" .yaml)
  rm -f "journals/$name.jsonl"
  ttx run --decisions "$s" --journal "journals/$name.jsonl" > /dev/null
done

export TTX_USER=dana-okafor   # the security lead who keeps the ledger

# 2025H1: the first exercise, and its follow-up.
on 2025-05-21; ttx actions add journals/2025-05-20-first-run.jsonl
on 2025-05-22
ttx actions set 2025H1-PAYMENTS-07 --owner payments --on 2025-05-22 --note "Same fix as 2025H1-PAYMENTS-02."
ttx actions set 2025H1-PAYMENTS-09 --owner security --status wont-fix --on 2025-05-22 --note "Duplicate of 2025H1-PAYMENTS-04."
on 2025-05-27; ttx actions set 2025H1-PAYMENTS-02 --status in-progress --on 2025-05-27 --by raj-patel
on 2025-06-02
ttx actions set 2025H1-PAYMENTS-02 --status done --on 2025-06-02 --by raj-patel --evidence https://git.acme.example/payments/refund-worker/pull/412 --note "Emergency kill switch path documented and tested in staging."
ttx actions set 2025H1-PAYMENTS-07 --status done --on 2025-06-02 --by raj-patel --evidence https://wiki.acme.example/runbooks/refund-kill-switch
on 2025-06-10; ttx actions set 2025H1-PAYMENTS-03 --status in-progress --on 2025-06-10 --by raj-patel
on 2025-06-30; ttx actions set 2025H1-PAYMENTS-01 --status done --on 2025-06-30 --evidence https://tracker.acme.example/SEC-204
on 2025-07-01; ttx actions set 2025H1-PAYMENTS-04 --status in-progress --on 2025-07-01 --note "Drafting an incident RACI with legal."
on 2025-07-10; ttx actions set 2025H1-PAYMENTS-05 --status done --on 2025-07-10 --by aisha-rahman --evidence https://wiki.acme.example/legal/incident-intake
on 2025-08-15
ttx actions set 2025H1-PAYMENTS-03 --status done --on 2025-08-15 --by raj-patel --evidence https://git.acme.example/payments/key-rotation/pull/37 --note "Rotation automated; quarterly drill scheduled."
ttx actions set 2025H1-PAYMENTS-08 --status done --on 2025-08-15 --by raj-patel --note "Two approvers on call for key rotation."
on 2025-09-01; ttx actions set 2025H1-PAYMENTS-06 --status wont-fix --on 2025-09-01 --note "Covered by the on-call training refresh, not a separate item."

# 2025H2: the second exercise; the processor gap is back.
on 2025-11-19; ttx actions add journals/2025-11-18-second-run.jsonl
on 2025-11-20
ttx actions set 2025H2-PAYMENTS-02 --owner security --status wont-fix --on 2025-11-20 --note "Duplicate of 2025H2-PAYMENTS-01."
on 2025-12-01; ttx actions set 2025H2-PAYMENTS-01 --status in-progress --on 2025-12-01 --owner legal --note "Legal to own the processor notice template."

# 2026H1: two sessions on one day; the second carries the letter B.
on 2026-05-15
ttx actions add journals/2026-05-14-slow-red-herring.jsonl
ttx actions add journals/2026-05-14-textbook.jsonl
ttx actions set 2026H1-PAYMENTS-09 --owner comms --on 2026-05-15 --status wont-fix --note "Duplicate of 2026H1-PAYMENTS-07."
ttx actions set 2026H1-PAYMENTS-10 --owner security --on 2026-05-15 --status wont-fix --note "Duplicate of 2026H1-PAYMENTS-03."
ttx actions set 2026H1-PAYMENTS-B01 --owner payments --on 2026-05-15
on 2026-05-26; ttx actions set 2026H1-PAYMENTS-02 --status done --on 2026-05-26 --by raj-patel --evidence https://git.acme.example/payments/refund-worker/pull/518
on 2026-06-01; ttx actions set 2026H1-PAYMENTS-05 --status in-progress --on 2026-06-01 --by aisha-rahman --due 2026-09-30 --note "Waiting on outside counsel's decision tree."
on 2026-07-02; ttx actions import tracker-export-2026-07.csv --on 2026-07-01
on 2026-08-01; ttx actions set 2026H1-PAYMENTS-B01 --status done --on 2026-08-01 --by raj-patel --note "Rotation approval delegated to the on-call lead."
on 2026-09-15
ttx actions set 2026H1-PAYMENTS-03 --status done --on 2026-09-15 --evidence https://wiki.acme.example/security/incident-raci --note "RACI: the IC owns the processor notice."
ttx actions set 2025H2-PAYMENTS-01 --status done --on 2026-09-15 --evidence https://wiki.acme.example/security/incident-raci
ttx actions set 2025H1-PAYMENTS-04 --status done --on 2026-09-15 --evidence https://wiki.acme.example/security/incident-raci

# 2026H2: the latest exercise, entered the day after (its sheet names every owner).
on 2026-11-13; ttx actions add journals/2026-11-12-processor-incident.jsonl
