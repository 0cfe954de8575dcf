"""Signs a bank event with Standard Webhooks using Python's standard library, and posts it.

Usage: VIGIL_URL=https://... BANK_ID=acme-bank SIGNING_SECRET=whsec_... python3 sign_and_send.py event.json
(The `standardwebhooks` PyPI package does the same: Webhook(secret).sign(id, datetime, body).)
"""
import base64
import hashlib
import hmac
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

body = open(sys.argv[1], "rb").read()
event_id = f"evt_{uuid.uuid4()}"  # your event id: the idempotency key; reuse it on retries
timestamp = str(int(time.time()))
key = base64.b64decode(os.environ["SIGNING_SECRET"].removeprefix("whsec_"))
signed = event_id.encode() + b"." + timestamp.encode() + b"." + body
signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()

request = urllib.request.Request(
    f"{os.environ['VIGIL_URL']}/v1/banks/{os.environ['BANK_ID']}/events",
    data=body,
    method="POST",
    headers={
        "content-type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": f"v1,{signature}",
    },
)
try:
    with urllib.request.urlopen(request) as response:
        print(response.read().decode())
        print(response.status)
except urllib.error.HTTPError as error:
    print(error.read().decode())
    print(error.code)
