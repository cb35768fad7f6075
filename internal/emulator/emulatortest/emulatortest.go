// Package emulatortest holds what tests of the emulator and of clients that
// talk to it need in common. It imports nothing of the emulator, so that the
// emulator's own tests can use it too.
package emulatortest

import (
	"testing"
	"time"
)

// WaitFor fails the test unless cond holds within 10 seconds, checking it
// every 5 ms. Some of the emulator's work ends after the client has had its
// answer or given up (a dropped or held answer, a delayed create): a test
// waits with it for the emulator's counts to show that work.
func WaitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
	}
}
