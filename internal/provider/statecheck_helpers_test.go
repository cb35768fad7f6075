package provider

import (
	"context"
	"fmt"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// stateString returns a string attribute of a managed resource in state.
func stateString(state *tfjson.State, address, attr string) (string, bool, error) {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return "", false, fmt.Errorf("no state")
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address != address {
			continue
		}
		v, ok := r.AttributeValues[attr]
		if !ok || v == nil {
			return "", false, nil
		}
		s, ok := v.(string)
		if !ok {
			return "", false, fmt.Errorf("%s.%s is %T, not a string", address, attr, v)
		}
		return s, true, nil
	}
	return "", false, fmt.Errorf("%s not in state", address)
}

type stateCheckFunc func(state *tfjson.State) error

func (f stateCheckFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if err := f(req.State); err != nil {
		resp.Error = err
	}
}

// findInEmulator finds the app (secretAttr "secret") or TURN key (secretAttr
// "key") uid of an account in the emulator, with its name and secret.
func findInEmulator(em *emulator.Running, secretAttr, account, uid string) (obj emulator.Object, secret string, found bool) {
	if secretAttr == "key" {
		for _, k := range em.TURNKeys(account) {
			if k.UID == uid {
				return k.Object, k.Key, true
			}
		}
		return emulator.Object{}, "", false
	}
	for _, a := range em.Apps(account) {
		if a.UID == uid {
			return a.Object, a.Secret, true
		}
	}
	return emulator.Object{}, "", false
}

// expectEmulatorObject checks that the object in state exists in the emulator
// with the same name, creation and modification times, and that its secret
// (or key) in state is the one the emulator issued.
func expectEmulatorObject(em *emulator.Running, address, secretAttr string) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		account, _, err := stateString(state, address, "account_id")
		if err != nil {
			return err
		}
		uid, _, err := stateString(state, address, "uid")
		if err != nil {
			return err
		}
		name, _, _ := stateString(state, address, "name")
		secret, hasSecret, _ := stateString(state, address, secretAttr)
		created, _, _ := stateString(state, address, "created")
		modified, _, _ := stateString(state, address, "modified")
		obj, emSecret, found := findInEmulator(em, secretAttr, account, uid)
		emCreated, emModified := obj.Created.UTC().Format(emulator.TimeFormat), obj.Modified.UTC().Format(emulator.TimeFormat)
		switch {
		case !found:
			return fmt.Errorf("emulator has no object %s in account %s", uid, account)
		case obj.Name != name:
			return fmt.Errorf("emulator has name %q, state has %q", obj.Name, name)
		case emCreated != created || emModified != modified:
			return fmt.Errorf("emulator has created %s and modified %s, state has %s and %s", emCreated, emModified, created, modified)
		case !hasSecret || emSecret != secret:
			return fmt.Errorf("state %s does not match the one the emulator issued for %s", secretAttr, uid)
		}
		return nil
	})
}

// expectEmulatorApp checks an app in state against the emulator (see expectEmulatorObject).
func expectEmulatorApp(em *emulator.Running, address string) statecheck.StateCheck {
	return expectEmulatorObject(em, address, "secret")
}

// checkSecretIsEmulators is the TestCheckFunc form of the secret half of
// expectEmulatorObject, for steps (such as RefreshState) that take no state checks.
func checkSecretIsEmulators(em *emulator.Running, address string) resource.TestCheckFunc {
	return checkEmulatorSecret(em, address, "secret")
}

func checkEmulatorSecret(em *emulator.Running, address, secretAttr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s not in state", address)
		}
		a := rs.Primary.Attributes
		_, emSecret, found := findInEmulator(em, secretAttr, a["account_id"], a["uid"])
		switch {
		case !found:
			return fmt.Errorf("emulator has no object %s", a["uid"])
		case emSecret != a[secretAttr]:
			return fmt.Errorf("state %s of %s is not the one the emulator issued", secretAttr, a["uid"])
		}
		return nil
	}
}
