#!/usr/bin/env bash
# Signs a bank event with Standard Webhooks using only openssl, and posts it with curl.
# Usage: VIGIL_URL=https://... BANK_ID=acme-bank SIGNING_SECRET=whsec_... ./sign-and-send.sh event.json
set -euo pipefail
body=$(cat "$1")
# Your event id: the idempotency key; reuse it on retries. Random letters and digits: a long run
# of digits (such as a time in nanoseconds) can look like a card number to the PAN guard.
id="evt_$(openssl rand -base64 18 | tr -d '+/=')"
timestamp=$(date +%s)
key_hex=$(printf '%s' "${SIGNING_SECRET#whsec_}" | base64 -d | od -An -vtx1 | tr -d ' \n')
signature=$(printf '%s.%s.%s' "$id" "$timestamp" "$body" \
  | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | base64)
curl -sS -w '\n%{http_code}\n' "$VIGIL_URL/v1/banks/$BANK_ID/events" \
  -H 'content-type: application/json' \
  -H "webhook-id: $id" -H "webhook-timestamp: $timestamp" -H "webhook-signature: v1,$signature" \
  --data-binary "$body"
