#!/usr/bin/env bash
# make demo: build the provider and the Calls API emulator, then take the
# example through a real Terraform CLI as a user would: apply, an empty plan,
# a rename, an import and a destroy. Each step prints the command as you would
# type it, then its output; the demo checks every step, stops at the first
# that misbehaves with a non-zero exit, and always stops the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$PWD
DEMO=${DEMO_DIR:-$ROOT/.demo}
TERRAFORM=${TF_ACC_TERRAFORM_PATH:-$ROOT/.tools/bin/terraform}
ACCOUNT=0123456789abcdef0123456789abcdef
ADDR=cloudflare_calls_app.example

# Colour only on a terminal: a log or a pipe gets plain text.
if [ -t 1 ]; then
  BOLD=$'\033[1m' RED=$'\033[31m' GREEN=$'\033[32m' RESET=$'\033[0m' NO_COLOR=()
else
  BOLD='' RED='' GREEN='' RESET='' NO_COLOR=(-no-color)
fi
step() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
ok() { printf '%s%s%s\n' "$GREEN" "$*" "$RESET"; }
fail() { printf '\n%sDEMO FAILED: %s%s\n' "$RED" "$*" "$RESET" >&2; exit 1; }
# shellcheck source=scripts/emulator.sh
source scripts/emulator.sh

rm -rf "$DEMO"
mkdir -p "$DEMO/bin" "$DEMO/work"

step "Building the provider and the emulator"
go build -o "$DEMO/bin/terraform-provider-cloudflare" -ldflags "-X main.version=demo" .
go build -o "$DEMO/bin/calls-emulator" ./cmd/calls-emulator

step "Starting the Calls API emulator on loopback"
start_emulator "$DEMO"
echo "emulator: $BASE_URL (pid $EMULATOR_PID)"

# A development override runs the provider just built: no registry, no init.
cat >"$DEMO/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "calls-terraform/cloudflare" = "$DEMO/bin"
  }
}
RC
export TF_CLI_CONFIG_FILE=$DEMO/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export CLOUDFLARE_API_TOKEN=$TOKEN CLOUDFLARE_BASE_URL=$BASE_URL
unset CLOUDFLARE_API_KEY CLOUDFLARE_EMAIL
echo "CLI configuration: a dev_overrides block for calls-terraform/cloudflare (TF_CLI_CONFIG_FILE=$DEMO/terraformrc)"
echo "Credentials: CLOUDFLARE_API_TOKEN and CLOUDFLARE_BASE_URL point at the emulator"

cd "$DEMO/work"
cp "$ROOT/examples/provider/provider.tf" "$ROOT/examples/resources/cloudflare_calls_app/resource.tf" .
# Outputs for the demo's own checks: a digest of the secret, never the secret.
cat >demo_outputs.tf <<'TF'
output "demo_uid" {
  value = cloudflare_calls_app.example.uid
}
output "demo_secret_sha256" {
  value = nonsensitive(sha256(coalesce(cloudflare_calls_app.example.secret, "none")))
}
TF

# Terraform repeats the development-override warning on every command: show
# it the first time, then drop that one warning block (and nothing else).
drop_override_warning() {
  if [ ! -e "$DEMO/warned" ]; then
    : >"$DEMO/warned"
    cat
    return
  fi
  # The warning is a paragraph (boxed by ╷ │ ╵ in colour) that ends with
  # "published releases."; the blank line or ╷ before it goes with it.
  # Lines are matched with their colour codes removed.
  awk '
    { plain = $0; gsub(/\033\[[0-9;]*m|\r/, "", plain) }
    skipping { if (plain ~ /releases\./) { skipping = 0; closing = 1 }; next }
    closing { closing = 0; if (plain == "╵") next }
    plain ~ /Provider development overrides are in effect/ { has_held = 0; skipping = 1; next }
    { if (has_held) print held; has_held = 0 }
    plain == "" || plain == "╷" { held = $0; has_held = 1; next }
    { print }
    END { if (has_held) print held }
  '
}

# tf prints the command as a user would type it, then runs it (with
# -no-color when stdout is no terminal). It returns the CLI's exit code, so
# that plan -detailed-exitcode can be checked.
tf() {
  echo "\$ terraform $*"
  local cmd=("$1") && shift
  if [ "${cmd[0]}" = state ]; then cmd+=("$1") && shift; fi
  "$TERRAFORM" "${cmd[@]}" "${NO_COLOR[@]}" "$@" 2>&1 | drop_override_warning
  return "${PIPESTATUS[0]}"
}
# quiet runs the CLI for the demo's own checks, printing nothing but errors.
quiet() { "$TERRAFORM" "$@" 2>"$DEMO/quiet.err" || { cat "$DEMO/quiet.err" >&2; return 1; }; }
apps_in_account() {
  curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE_URL/accounts/$ACCOUNT/calls/apps" | grep -o '"uid":"[0-9a-f]*"' | wc -l
}
plan_exit() { local rc=0; tf plan -detailed-exitcode "$@" | tee "$DEMO/plan.txt" || rc=${PIPESTATUS[0]}; return "$rc"; }

step "1. Create the app"
tf apply -auto-approve
UID1=$(quiet output -raw demo_uid)
SECRET1=$(quiet output -raw demo_secret_sha256)
[ "$(apps_in_account)" = 1 ] || fail "the emulator should hold exactly one app"
ok "created app $UID1 (secret sha256 $SECRET1; the secret itself stays in state)"

step "2. Plan again: nothing to change"
rc=0; plan_exit || rc=$?
[ $rc = 0 ] || fail "the plan after apply is not empty (exit $rc)"
ok "empty plan (exit 0)"

step "3. Rename the app: edit resource.tf, then plan and apply"
cp resource.tf "$DEMO/resource.tf.before"
sed -i 's/name       = "my-realtime-app"/name       = "renamed-by-demo"/' resource.tf
echo "\$ diff -u resource.tf.before resource.tf"
diff -u --label resource.tf.before --label resource.tf "$DEMO/resource.tf.before" resource.tf && fail "the edit changed nothing"
rc=0; plan_exit || rc=$?
[ $rc = 2 ] || fail "expected a pending change (exit 2), got $rc"
grep -q "1 to change, 0 to destroy" "$DEMO/plan.txt" || fail "the rename should be one in-place update"
tf apply -auto-approve
[ "$(quiet output -raw demo_uid)" = "$UID1" ] || fail "the rename replaced the app"
[ "$(quiet output -raw demo_secret_sha256)" = "$SECRET1" ] || fail "the rename lost the secret"
rc=0; plan_exit || rc=$?
[ $rc = 0 ] || fail "the plan after the rename is not empty (exit $rc)"
ok "renamed in place; uid and secret unchanged"

step "4. Import: forget the app, then import it by <account_id>/<app_id>"
tf state rm "$ADDR"
tf import "$ADDR" "$ACCOUNT/$UID1"
rc=0; plan_exit || rc=$?
[ $rc = 0 ] || fail "the plan after import is not empty (exit $rc)"
[ "$(quiet output -raw demo_uid)" = "$UID1" ] || fail "the import found another app"
ok "imported; empty plan. The API never returns a secret again, so the imported app has none in state."

step "5. Destroy"
tf destroy -auto-approve
[ "$(apps_in_account)" = 0 ] || fail "the app still exists after destroy"
ok "destroyed; the account holds no app"

step "What the emulator saw"
COUNTERS=$(curl -fsS "${BASE_URL%/client/v4}/__emulator/counters")
echo "API requests, by endpoint:"
# Each route counter is "<METHOD> <path pattern>":<count>.
grep -o '"[A-Z]* /[^"]*":[0-9]*' <<<"$COUNTERS" | sed 's/^"\([A-Z]*\) \([^"]*\)":\([0-9]*\)$/\1 \2 \3/' | sort -k2,2 -k1,1 |
  awk '{ printf "  %-7s %-48s %3d\n", $1, $2, $3; total += $3 } END { printf "  %-56s %3d\n", "total", total }'
printf '\n%sDemo finished: apply, empty plan, rename, import and destroy all behaved.%s\n' "$GREEN" "$RESET"
