#!/bin/sh
# Posts one registry event to a webhook, signed, when the CI secrets are set (written by
# `modelshelf init`; the GitHub workflow and the GitLab pipeline run it on every tag push).
#
#   sh ci/modelshelf-notify.sh REF
#
# MODELSHELF_WEBHOOK_URL     where to POST (a CI secret or masked variable)
# MODELSHELF_WEBHOOK_SECRET  the HMAC key; without it (or the URL) nothing is sent
#
# The body is `modelshelf check-ref REF --json`: the event (GTO's keys, the model's type, path
# and description) and, in a repository with rules or for a signed tag, its "verdict". Headers:
#   X-Modelshelf-Event: registry-event
#   X-Modelshelf-Signature-256: sha256=HEX, HEX = HMAC-SHA256(secret, the body's exact bytes)
# The receiver recomputes the HMAC over the raw body and compares in constant time.
set -eu

ref=${1:?usage: modelshelf-notify.sh REF}
if [ -z "${MODELSHELF_WEBHOOK_SECRET:-}" ] || [ -z "${MODELSHELF_WEBHOOK_URL:-}" ]; then
  echo "modelshelf-notify: MODELSHELF_WEBHOOK_URL and MODELSHELF_WEBHOOK_SECRET are not both set: nothing sent"
  exit 0
fi
body=$(mktemp)
trap 'rm -f "$body"' EXIT
modelshelf check-ref "$ref" --json > "$body"
if [ ! -s "$body" ]; then
  echo "modelshelf-notify: $ref is not a registry event: nothing sent"
  exit 0
fi
# The key is read from the environment, never passed on a command line.
signature=$(python3 -c 'import hashlib, hmac, os, sys
print(hmac.new(os.environb[b"MODELSHELF_WEBHOOK_SECRET"], sys.stdin.buffer.read(), hashlib.sha256).hexdigest())' < "$body")
curl -fsS --retry 3 --max-time 30 -X POST \
  -H "Content-Type: application/json" \
  -H "X-Modelshelf-Event: registry-event" \
  -H "X-Modelshelf-Signature-256: sha256=$signature" \
  --data-binary "@$body" "$MODELSHELF_WEBHOOK_URL" > /dev/null
echo "modelshelf-notify: posted $ref"
