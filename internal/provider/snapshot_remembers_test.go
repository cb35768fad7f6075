package provider

import (
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// An object missing from the account's list (created after the list was
// answered) is confirmed with one GET, and what that GET found is
// remembered: reading it again in the same operation costs no request, and
// it reads back as the GET found it. Against the emulator, counting requests.
func TestRefreshSnapshots_objectFoundByGETIsRemembered(t *testing.T) {
	for _, k := range []struct {
		kind      callsKind
		list, get string
		create    func(em *emulator.Running, name string) (string, error)
	}{
		{appKind, listApps, getApp,
			func(em *emulator.Running, name string) (string, error) {
				a, err := em.CreateApp(testAccountID, name)
				return a.UID, err
			}},
		{turnKeyKind, listTURNKeys, getTURNKey,
			func(em *emulator.Running, name string) (string, error) {
				k, err := em.CreateTURNKey(testAccountID, name)
				return k.UID, err
			}},
	} {
		t.Run(k.kind.typeName, func(t *testing.T) {
			t.Parallel()
			em := testEmulator(t)
			early, err := k.create(em, "early")
			must(t, err)
			s := newRefreshSnapshots(clientReader{testClient(t, em)}, true)
			if _, found, err := s.read(t.Context(), k.kind, testAccountID, early); err != nil || !found {
				t.Fatalf("reading the listed object: found %v, err %v", found, err)
			}
			late, err := k.create(em, "late") // after the list: not in it
			must(t, err)
			for i := range 3 {
				o, found, err := s.read(t.Context(), k.kind, testAccountID, late)
				if err != nil || !found || o.UID != late || o.Name != "late" {
					t.Fatalf("read %d of the object missing from the list: %+v, found %v, err %v", i+1, o, found, err)
				}
			}
			if err := expectRequests(em, map[string]int64{k.list: 1, k.get: 1}).err(); err != nil {
				t.Errorf("three reads of an object missing from the list: %v", err)
			}
		})
	}
}
