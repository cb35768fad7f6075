#!/usr/bin/env bash
# make testacc-live: the live acceptance tests (internal/provider/live_test.go)
# against the real Cloudflare API, for maintainers with a token. Not part of
# make test. Every object is named with a prefix unique to this run, and the
# prefix is swept (every app and TURN key named with it deleted) after each
# test and once more when the run ends, however it ends.
#
#   CLOUDFLARE_API_TOKEN   a token with Calls write permission (required)
#   CLOUDFLARE_ACCOUNT_ID  the account to create test objects in (required)
#   CLOUDFLARE_BASE_URL    optional: another API endpoint, e.g. the emulator
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -n "${CLOUDFLARE_API_TOKEN:-}" ] || missing+=(CLOUDFLARE_API_TOKEN)
[ -n "${CLOUDFLARE_ACCOUNT_ID:-}" ] || missing+=(CLOUDFLARE_ACCOUNT_ID)
if [ ${#missing[@]} -gt 0 ]; then
  echo "make testacc-live creates and deletes Calls apps and TURN keys through the real Cloudflare API." >&2
  echo "It needs CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID; not set: ${missing[*]}. Nothing was run." >&2
  exit 2
fi
if ! [[ $CLOUDFLARE_ACCOUNT_ID =~ ^[0-9a-f]{32}$ ]]; then
  echo "CLOUDFLARE_ACCOUNT_ID must be 32 lowercase hexadecimal characters, got \"$CLOUDFLARE_ACCOUNT_ID\". Nothing was run." >&2
  exit 2
fi
# A token alone: legacy credentials beside it would be refused.
unset CLOUDFLARE_API_KEY CLOUDFLARE_EMAIL

export TF_ACC_TERRAFORM_PATH=${TF_ACC_TERRAFORM_PATH:-$PWD/.tools/bin/terraform}
[ -x "$TF_ACC_TERRAFORM_PATH" ] || make --no-print-directory "$TF_ACC_TERRAFORM_PATH"

PREFIX="tfacc-live-$(date -u +%Y%m%d%H%M%S)-$(od -An -tx1 -N3 /dev/urandom | tr -d ' \n')"
export CALLS_LIVE_PREFIX=$PREFIX
echo "==> live run $PREFIX: account $CLOUDFLARE_ACCOUNT_ID at ${CLOUDFLARE_BASE_URL:-the Cloudflare API}"

swept=
sweep() {
  [ -z "$swept" ] || return 0
  swept=1
  echo "==> sweeping every app and TURN key named $PREFIX*"
  if ! CALLS_LIVE_SWEEP=1 go test -count=1 -run '^TestLiveSweep$' ./internal/provider/; then
    echo "The sweep failed: delete the apps and TURN keys named $PREFIX* in account $CLOUDFLARE_ACCOUNT_ID by hand." >&2
    return 1
  fi
}
trap 'sweep || true' EXIT
trap 'exit 130' INT TERM

rc=0
TF_ACC=1 go test -count=1 -v -timeout 30m -run '^TestLive_' ./internal/provider/ || rc=$?
sweep || [ "$rc" -ne 0 ] || rc=1
exit "$rc"
