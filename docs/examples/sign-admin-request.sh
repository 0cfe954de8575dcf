#!/usr/bin/env bash
# Signs an administration request with HTTP Message Signatures (RFC 9421, hmac-sha256, with
# Content-Digest per RFC 9530) using only openssl, and sends it with curl.
# Usage: VIGIL_URL=https://... BANK_ID=acme-bank ADMIN_KEY=vadm_... ADMIN_KEY_ID=adm_... \
#        ./sign-admin-request.sh METHOD PATH [BODY_FILE]    e.g. PUT /thresholds thresholds.json
set -euo pipefail
method=$1
target="/v1/banks/$BANK_ID$2"
file=${3:-}
path=${target%%\?*}
query=$([[ $target == *\?* ]] && printf '?%s' "${target#*\?}" || printf '?')
authority=$(printf '%s' "$VIGIL_URL" | sed -E 's#^[a-z]+://##; s#/.*$##; s#:443$##' | tr '[:upper:]' '[:lower:]')
created=$(date +%s)
nonce=$(openssl rand -base64 18 | tr '+/' '-_')   # new for every request; reuse it only to retry
components='"@method" "@authority" "@path" "@query"'
digest=''
if [[ -n $file ]]; then
  digest="sha-256=:$(openssl dgst -sha256 -binary "$file" | base64):"
  components="$components \"content-digest\""
fi
params="($components);created=$created;nonce=\"$nonce\";keyid=\"$ADMIN_KEY_ID\";alg=\"hmac-sha256\""
base=$(printf '"@method": %s\n"@authority": %s\n"@path": %s\n"@query": %s' "$method" "$authority" "$path" "$query")
[[ -n $file ]] && base=$(printf '%s\n"content-digest": %s' "$base" "$digest")
base=$(printf '%s\n"@signature-params": %s' "$base" "$params")
key_hex=$(printf '%s' "${ADMIN_KEY#vadm_}" | base64 -d | od -An -vtx1 | tr -d ' \n')
signature=$(printf '%s' "$base" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | base64)
args=(-sS -w '\n%{http_code}\n' -X "$method" "$VIGIL_URL$target"
  -H "signature-input: sig=$params" -H "signature: sig=:$signature:")
if [[ -n $file ]]; then
  args+=(-H 'content-type: application/json' -H "content-digest: $digest" --data-binary "@$file")
fi
curl "${args[@]}"
