package provider

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"testing"
)

// byNameConfig reads one object of kind k by name (and by id too, when id
// is set) and outputs what it read.
func byNameConfig(k testKind, accountID, name, id string) string {
	lookup := fmt.Sprintf("name = %q", name)
	if id != "" {
		lookup += fmt.Sprintf("\n  %s = %q", k.idAttr, id)
	}
	if name == "" {
		lookup = ""
	}
	return fmt.Sprintf(`
data %[1]q "by_name" {
  account_id = %[2]q
  %[3]s
}

output "read" {
  value = {
    id       = data.%[1]s.by_name.%[4]s
    uid      = data.%[1]s.by_name.uid
    name     = data.%[1]s.by_name.name
    created  = data.%[1]s.by_name.created
    modified = data.%[1]s.by_name.modified
  }
}
`, k.resourceType, accountID, lookup, k.idAttr)
}

// listOnly is the one list request a lookup by name may send.
func listOnly(k testKind) map[string]int64 {
	return map[string]int64{"GET " + path.Dir(k.itemRoute): 1}
}

// A name that exactly one object of the account has reads that object, with
// one list request and no GET; a name that several have, or none, is an
// error that says how many matched (and which), after the same one request.
func TestCallsObjectDataSource_byName(t *testing.T) {
	for _, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) {
			t.Parallel()
			em := testEmulator(t)
			alpha := mustCreate(t, k, em, testAccountID, "alpha")
			beta1 := mustCreate(t, k, em, testAccountID, "beta")
			beta2 := mustCreate(t, k, em, testAccountID, "beta")
			mustCreate(t, k, em, otherTestAccountID, "alpha")    // another account's
			mustCreate(t, k.other(), em, testAccountID, "alpha") // the other kind's

			c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
			c.write("main.tf", byNameConfig(k, testAccountID, "alpha", ""))
			em.ResetCounters()
			c.mustRun(0, "apply", "-auto-approve", "-no-color")
			if err := expectRequests(em, listOnly(k)).err(); err != nil {
				t.Error(err)
			}
			var read map[string]string
			if err := json.Unmarshal([]byte(c.mustRun(0, "output", "-json", "read")), &read); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"id": alpha.UID, "uid": alpha.UID, "name": "alpha",
				"created": wireTime(alpha.Created), "modified": wireTime(alpha.Modified)}
			if err := equalMaps(read, want); err != nil {
				t.Errorf("read by name: %v", err)
			}

			c.write("main.tf", byNameConfig(k, testAccountID, "beta", ""))
			em.ResetCounters()
			out := c.mustRun(1, "plan", "-no-color")
			expectSays(t, out, "Several Calls "+k.noun+"s have this name",
				fmt.Sprintf(`2 Calls %ss in account %s are named "beta"`, k.noun, testAccountID),
				"uid "+beta1.UID, "uid "+beta2.UID, "Read one of them by "+k.idAttr)
			if err := expectRequests(em, listOnly(k)).err(); err != nil {
				t.Error(err)
			}

			c.write("main.tf", byNameConfig(k, testAccountID, "Alpha", ""))
			em.ResetCounters()
			out = c.mustRun(1, "plan", "-no-color")
			expectSays(t, out, "Calls "+k.noun+" not found",
				fmt.Sprintf(`No Calls %s named "Alpha" exists in account %s, which holds 3 Calls %ss`, k.noun, testAccountID, k.noun))
			if err := expectRequests(em, listOnly(k)).err(); err != nil {
				t.Error(err)
			}
		})
	}
}

// Both an id and a name, or neither, is refused before any request.
func TestCallsObjectDataSource_idOrNameExactlyOne(t *testing.T) {
	for _, k := range testKinds {
		t.Run(k.resourceType, func(t *testing.T) {
			t.Parallel()
			em := testEmulator(t)
			existing := mustCreate(t, k, em, testAccountID, "alpha")
			c := newCLI(t, em, "CLOUDFLARE_API_TOKEN="+testToken)
			em.ResetCounters()
			for name, config := range map[string]string{
				"both":    byNameConfig(k, testAccountID, "alpha", existing.UID),
				"neither": byNameConfig(k, testAccountID, "", ""),
			} {
				c.write("main.tf", config)
				out := c.mustRun(1, "plan", "-no-color")
				if n := strings.Count(out, "Error: "); n != 1 {
					t.Errorf("%s: %d errors, want 1:\n%s", name, n, out)
				}
				expectSays(t, out, "Invalid Attribute Combination", "one (and only one) of ["+k.idAttr+",name] is required")
				if n := em.TotalRequests(); n != 0 {
					t.Errorf("%s: %d requests sent, want none", name, n)
				}
			}
		})
	}
}
