#!/usr/bin/env bash
# Segment's Python and Node libraries and RudderStack's Python library, unchanged, sending to
# `ac-segment serve` in front of a standalone ac-mock; then the mock is read back.
# Needs python3 (3.9+), node (20+) and the PyPI / npm registries. Not part of `cargo test`
# (the gate stays offline); run it by hand: scripts/real-senders.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build -q -p ac-mock -p ac-segment
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q -r scripts/senders/requirements.txt
cp scripts/senders/package.json scripts/senders/send.mjs "$work/"
(cd "$work" && npm install -q --no-audit --no-fund >/dev/null)

target/debug/ac-mock --listen 127.0.0.1:0 >"$work/mock.out" 2>/dev/null &
for _ in $(seq 50); do grep -q listening "$work/mock.out" 2>/dev/null && break; sleep 0.1; done
mock=$(grep -o 'http://[0-9.:]*' "$work/mock.out" | head -1)
target/debug/ac-segment serve --listen 127.0.0.1:0 --data-dir "$work/data" --write-key WK \
  --api-url "$mock" --api-token ac-mock-token --actid 1000000 --event-key ac-mock-event-key \
  --tracking-url "$mock" --rate-limit 0 >"$work/serve.out" 2>"$work/serve.err" &
for _ in $(seq 50); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
serve=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -1)

"$work/venv/bin/python" scripts/senders/send.py "$serve" WK
(cd "$work" && node send.mjs "$serve" WK)

for _ in $(seq 300); do
  curl -s "$serve/health" | grep -q '"outbox":0,"queue":0' && break; sleep 0.2
done
curl -s "$serve/health"; echo
total=$(curl -s "$mock/api/3/contacts?limit=1" -H 'Api-Token: ac-mock-token' | grep -o '"total":"[0-9]*"')
echo "contacts in the mock: $total"
[ "$total" = '"total":"370"' ] || { echo "expected 370 contacts"; exit 1; }
curl -s "$serve/metrics" | grep -E '^acsegment_(applied|failed|dead_lettered)_total'
echo "real senders: ok"
