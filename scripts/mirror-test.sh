#!/usr/bin/env bash
# make test-mirror: install the provider as a user without the registry would.
# Build release zips through .goreleaser.yml with a plain version, lay them out
# as a filesystem mirror, then with no dev_overrides: terraform init with a
# version constraint, terraform providers lock for three platforms, and an
# apply, an empty plan and a destroy against the Calls API emulator. The same
# mirror is then used by OpenTofu, when TOFU names one.
#
# By default only the three platforms of the lock file are built, from the
# release configuration with a targets list added: the full matrix of 13
# platforms (make release-snapshot) took 26 min here with 10 of them cold,
# against 6 min for these three. MIRROR_DIST=dist uses the zips of
# `make release-snapshot SNAPSHOT_VERSION=0.1.0` instead.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$PWD
WORK=$ROOT/.tools/mirror
TERRAFORM=${TF_ACC_TERRAFORM_PATH:-$ROOT/.tools/bin/terraform}
GORELEASER=${GORELEASER:-$ROOT/.tools/bin/goreleaser}
TOFU=${TOFU:-}
VERSION=${SNAPSHOT_VERSION:-0.1.0}
PLATFORMS=(linux_amd64 darwin_arm64 windows_amd64)
ACCOUNT=0123456789abcdef0123456789abcdef
NAME=terraform-provider-cloudflare

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nMIRROR TEST FAILED: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }
# shellcheck source=scripts/emulator.sh
source scripts/emulator.sh

rm -rf "$WORK"
mkdir -p "$WORK/bin" "$WORK/work"
START=$(date +%s)

if [ -n "${MIRROR_DIST:-}" ]; then
  DIST=$(cd "$MIRROR_DIST" && pwd)
  step "Using the release zips in $DIST"
else
  DIST=$WORK/dist
  step "Building $VERSION for ${PLATFORMS[*]} through .goreleaser.yml"
  # The release configuration, with only the platforms the lock file needs and
  # its own dist folder. goreleaser builds `targets` instead of goos x goarch.
  {
    echo "dist: $DIST"
    sed "/^    binary: /a\\    targets: [$(IFS=,; echo "${PLATFORMS[*]}")]" .goreleaser.yml
  } >"$WORK/goreleaser.yml"
  grep -q '^    targets: \[linux_amd64,darwin_arm64,windows_amd64\]$' "$WORK/goreleaser.yml" ||
    fail "could not add the targets to .goreleaser.yml: is its first build still ending with 'binary:'?"
  BUILD_START=$(date +%s)
  # No signing key here, and no `go mod tidy` rewriting the work tree.
  SNAPSHOT_VERSION=$VERSION "$GORELEASER" release --snapshot --clean --skip=before,sign \
    --config "$WORK/goreleaser.yml" >"$WORK/goreleaser.log" 2>&1 ||
    { cat "$WORK/goreleaser.log" >&2; fail "goreleaser failed"; }
  echo "goreleaser built ${#PLATFORMS[@]} platforms in $(elapsed "$BUILD_START")"
fi

step "Checking the release files"
SUMS=$DIST/${NAME}_${VERSION}_SHA256SUMS
[ -f "$SUMS" ] || fail "no $SUMS"
grep -q " ${NAME}_${VERSION}_manifest.json$" "$SUMS" || fail "the SHA256SUMS file does not list the registry manifest"
for p in "${PLATFORMS[@]}"; do
  zip=${NAME}_${VERSION}_${p}.zip
  [ -f "$DIST/$zip" ] || fail "no $zip in $DIST"
  binary=${NAME}_v${VERSION}
  [ "$p" = windows_amd64 ] && binary=$binary.exe
  unzip -Z1 "$DIST/$zip" | grep -qx "$binary" || fail "$zip does not hold $binary"
done
# As README's Install says to check a downloaded release.
(cd "$DIST" && sha256sum --ignore-missing -c "$(basename "$SUMS")") || fail "the zips do not match SHA256SUMS"
echo "zips, SHA256SUMS and manifest: OK"

step "Laying the zips out as a filesystem mirror (packed layout)"
MIRROR=$WORK/mirror
for host in registry.terraform.io registry.opentofu.org; do
  mkdir -p "$MIRROR/$host/calls-terraform/cloudflare"
  for p in "${PLATFORMS[@]}"; do
    cp "$DIST/${NAME}_${VERSION}_${p}.zip" "$MIRROR/$host/calls-terraform/cloudflare/"
  done
done
(cd "$MIRROR" && find . -type f | sort)

# The CLI configuration of README's Install, with the hosts written out where
# README leaves them to each CLI's default: this provider from the mirror
# only, anything else from the registry (this test uses nothing else, so no
# request leaves the machine). No dev_overrides.
cat >"$WORK/mirror.tfrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/calls-terraform/cloudflare", "registry.opentofu.org/calls-terraform/cloudflare"]
  }
  direct {
    exclude = ["registry.terraform.io/calls-terraform/cloudflare", "registry.opentofu.org/calls-terraform/cloudflare"]
  }
}
RC
export TF_CLI_CONFIG_FILE=$WORK/mirror.tfrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
unset TF_PLUGIN_CACHE_DIR CLOUDFLARE_API_KEY CLOUDFLARE_EMAIL

step "Starting the Calls API emulator on loopback"
go build -o "$WORK/bin/calls-emulator" ./cmd/calls-emulator
start_emulator "$WORK"
export CLOUDFLARE_BASE_URL=$BASE_URL
export CLOUDFLARE_API_TOKEN=$TOKEN
apps_in_account() {
  curl -fsS -H "Authorization: Bearer $TOKEN" "$CLOUDFLARE_BASE_URL/accounts/$ACCOUNT/calls/apps" | grep -o '"uid":"[0-9a-f]*"' | wc -l
}

# install_and_apply CLI NAME: init from the mirror, lock, apply, plan, destroy.
install_and_apply() {
  local cli=$1 label=$2 dir=$WORK/work/$2 out
  mkdir -p "$dir"
  cat >"$dir/main.tf" <<TF
terraform {
  required_providers {
    cloudflare = {
      source  = "calls-terraform/cloudflare"
      version = "~> 0.1"
    }
  }
}

provider "cloudflare" {}

resource "cloudflare_calls_app" "mirror" {
  account_id = "$ACCOUNT"
  name       = "installed-from-a-mirror"
}
TF
  cd "$dir"

  step "$label: init from the mirror"
  out=$("$cli" init -no-color 2>&1) || { echo "$out"; fail "$label init failed"; }
  echo "$out"
  grep -q "Installed calls-terraform/cloudflare v$VERSION" <<<"$out" || fail "$label did not install v$VERSION from the mirror"
  grep -q "Provider development overrides" <<<"$out" && fail "$label used a development override"
  grep -q "version *= \"$VERSION\"" .terraform.lock.hcl || fail "the lock file does not record $VERSION"
  grep -q 'constraints = "~> 0.1"' .terraform.lock.hcl || fail "the lock file does not record the constraint"

  step "$label: providers lock for ${PLATFORMS[*]}"
  local platforms=()
  for p in "${PLATFORMS[@]}"; do platforms+=("-platform=$p"); done
  "$cli" providers lock -no-color -fs-mirror="$MIRROR" "${platforms[@]}" || fail "$label providers lock failed"
  cat .terraform.lock.hcl
  # A mirror gives no registry-signed zh: hashes: the CLI computes one h1:
  # hash per platform from the zips themselves.
  local h1
  h1=$(grep -o '"h1:[^"]*"' .terraform.lock.hcl | sort -u | wc -l)
  [ "$h1" -eq ${#PLATFORMS[@]} ] || fail "the lock file has $h1 distinct h1: hashes, want one per platform (${#PLATFORMS[@]})"
  out=$("$cli" init -no-color 2>&1) || { echo "$out"; fail "$label init with the full lock file failed"; }


  step "$label: apply, plan, destroy against the emulator"
  "$cli" apply -no-color -auto-approve || fail "$label apply failed"
  [ "$(apps_in_account)" = 1 ] || fail "after $label apply the account should hold one app"
  "$cli" version | grep -q "calls-terraform/cloudflare v$VERSION" || fail "$label does not report provider v$VERSION"
  local rc=0
  "$cli" plan -no-color -detailed-exitcode >"$dir/plan.txt" 2>&1 || rc=$?
  [ $rc = 0 ] || { cat "$dir/plan.txt"; fail "$label: the plan after apply is not empty (exit $rc)"; }
  "$cli" destroy -no-color -auto-approve || fail "$label destroy failed"
  [ "$(apps_in_account)" = 0 ] || fail "after $label destroy the account still holds an app"
  cd "$ROOT"
}

install_and_apply "$TERRAFORM" terraform
if [ -n "$TOFU" ]; then
  install_and_apply "$TOFU" opentofu
fi

printf '\nMirror test passed in %s: init from a filesystem mirror, lock for %s, apply, plan, destroy.\n' \
  "$(elapsed "$START")" "${PLATFORMS[*]}"
