#!/usr/bin/env bash
# make demo: build the provider and the Calls API emulator, then take the
# examples through a real Terraform CLI: apply, empty plan, rename, import,
# destroy. Every step is printed; the first failing step stops the demo with a
# non-zero exit, and the emulator is always stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$PWD
DEMO=$ROOT/.demo
TERRAFORM=${TF_ACC_TERRAFORM_PATH:-$ROOT/.tools/bin/terraform}
ACCOUNT=0123456789abcdef0123456789abcdef
ADDR=cloudflare_calls_app.example

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\n\033[31mDEMO FAILED: %s\033[0m\n' "$*" >&2; exit 1; }

rm -rf "$DEMO"
mkdir -p "$DEMO/bin" "$DEMO/work"

step "Building the provider and the emulator"
go build -o "$DEMO/bin/terraform-provider-cloudflare" -ldflags "-X main.version=demo" .
go build -o "$DEMO/bin/calls-emulator" ./cmd/calls-emulator

step "Starting the Calls API emulator on loopback"
TOKEN=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
"$DEMO/bin/calls-emulator" -listen 127.0.0.1:0 -addr-file "$DEMO/addr" -token "$TOKEN" >"$DEMO/emulator.log" 2>&1 &
EMULATOR_PID=$!
trap 'kill $EMULATOR_PID 2>/dev/null || true; wait $EMULATOR_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$DEMO/addr" ] && break; sleep 0.1; done
[ -s "$DEMO/addr" ] || fail "the emulator did not start; see $DEMO/emulator.log"
BASE_URL=$(cat "$DEMO/addr")
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
tf() { echo "\$ terraform $*"; "$TERRAFORM" "$@"; }
plan_exit() { set +e; "$TERRAFORM" plan -detailed-exitcode -no-color "$@" >plan.txt 2>&1; local rc=$?; set -e; cat plan.txt; return $rc; }
apps_in_account() {
  curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE_URL/accounts/$ACCOUNT/calls/apps" | grep -o '"uid":"[0-9a-f]*"' | wc -l
}

step "1. terraform apply: create the app"
tf apply -auto-approve -no-color
UID1=$("$TERRAFORM" output -raw demo_uid)
SECRET1=$("$TERRAFORM" output -raw demo_secret_sha256)
[ "$(apps_in_account)" = 1 ] || fail "the emulator should hold exactly one app"
echo "created app $UID1 (secret sha256 $SECRET1; the secret itself stays in state)"

step "2. terraform plan: nothing to change"
plan_exit || fail "the plan after apply is not empty"
echo "empty plan: OK"

step "3. rename the app in place"
cat >demo_override.tf <<'TF'
resource "cloudflare_calls_app" "example" {
  name = "renamed-by-demo"
}
TF
rc=0; plan_exit || rc=$?
[ $rc = 2 ] || fail "expected a pending change (exit 2), got $rc"
grep -q "1 to change, 0 to destroy" plan.txt || fail "the rename should be one in-place update"
tf apply -auto-approve -no-color
[ "$("$TERRAFORM" output -raw demo_uid)" = "$UID1" ] || fail "the rename replaced the app"
[ "$("$TERRAFORM" output -raw demo_secret_sha256)" = "$SECRET1" ] || fail "the rename lost the secret"
plan_exit || fail "the plan after the rename is not empty"
echo "renamed in place; uid and secret unchanged: OK"

step "4. import: forget the app, then import it by <account_id>/<app_id>"
tf state rm -no-color "$ADDR"
tf import -no-color "$ADDR" "$ACCOUNT/$UID1"
plan_exit || fail "the plan after import is not empty"
[ "$("$TERRAFORM" output -raw demo_uid)" = "$UID1" ] || fail "the import found another app"
echo "imported; plan empty. The API never returns a secret again, so the imported app has none in state."

step "5. terraform destroy"
tf destroy -auto-approve -no-color
[ "$(apps_in_account)" = 0 ] || fail "the app still exists after destroy"

step "What the emulator saw"
curl -fsS "${BASE_URL%/client/v4}/__emulator/counters"; echo
printf '\n\033[32mDemo finished: apply, empty plan, rename, import and destroy all behaved.\033[0m\n'
