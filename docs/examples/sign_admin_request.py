"""Signs an administration request with HTTP Message Signatures (RFC 9421, hmac-sha256, with
Content-Digest per RFC 9530) using Python's standard library, and sends it.

Usage: VIGIL_URL=https://... BANK_ID=acme-bank ADMIN_KEY=vadm_... ADMIN_KEY_ID=adm_... \\
       python3 sign_admin_request.py METHOD PATH [BODY_FILE]    e.g. PUT /thresholds thresholds.json
"""
import base64
import hashlib
import hmac
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

method, path = sys.argv[1], sys.argv[2]
body = open(sys.argv[3], "rb").read() if len(sys.argv) > 3 else None
url = f"{os.environ['VIGIL_URL']}/v1/banks/{os.environ['BANK_ID']}{path}"
parts = urllib.parse.urlsplit(url)
default_port = {"http": 80, "https": 443}[parts.scheme]
authority = parts.hostname.lower() + (f":{parts.port}" if parts.port not in (None, default_port) else "")

components = ['"@method"', '"@authority"', '"@path"', '"@query"']
lines = [
    f'"@method": {method}',
    f'"@authority": {authority}',
    f'"@path": {parts.path}',
    f'"@query": ?{parts.query}',
]
headers = {}
if body is not None:
    digest = f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"
    headers = {"content-type": "application/json", "content-digest": digest}
    components.append('"content-digest"')
    lines.append(f'"content-digest": {digest}')
nonce = secrets.token_urlsafe(18)  # new for every request; reuse it only to retry
params = (
    f"({' '.join(components)});created={int(time.time())};nonce=\"{nonce}\""
    f";keyid=\"{os.environ['ADMIN_KEY_ID']}\";alg=\"hmac-sha256\""
)
lines.append(f'"@signature-params": {params}')
key = base64.b64decode(os.environ["ADMIN_KEY"].removeprefix("vadm_"))
signature = base64.b64encode(hmac.new(key, "\n".join(lines).encode(), hashlib.sha256).digest()).decode()
headers["signature-input"] = f"sig={params}"
headers["signature"] = f"sig=:{signature}:"

request = urllib.request.Request(url, data=body, method=method, headers=headers)
try:
    with urllib.request.urlopen(request) as response:
        print(response.read().decode())
        print(response.status)
except urllib.error.HTTPError as error:
    print(error.read().decode())
    print(error.code)
