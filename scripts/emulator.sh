# Sourced by demo.sh and mirror-test.sh (not run on its own).
#
# start_emulator DIR: start DIR/bin/calls-emulator on a free loopback port
# with a random token, stop it when the script exits, and wait until it
# listens. Sets TOKEN, EMULATOR_PID and BASE_URL; the emulator's output goes
# to DIR/emulator.log. Calls the script's fail when the emulator does not start.
start_emulator() {
  local dir=$1
  TOKEN=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
  "$dir/bin/calls-emulator" -listen 127.0.0.1:0 -addr-file "$dir/addr" -token "$TOKEN" >"$dir/emulator.log" 2>&1 &
  EMULATOR_PID=$!
  trap 'kill $EMULATOR_PID 2>/dev/null || true; wait $EMULATOR_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do [ -s "$dir/addr" ] && break; sleep 0.1; done
  [ -s "$dir/addr" ] || fail "the emulator did not start; see $dir/emulator.log"
  BASE_URL=$(cat "$dir/addr")
}
