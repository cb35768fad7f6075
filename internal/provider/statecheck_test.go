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

// expectEmulatorApp checks that the app in state exists in the emulator with
// the same name, and that the secret in state is the one the emulator issued.
func expectEmulatorApp(em *emulator.Running, address string) statecheck.StateCheck {
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
		secret, hasSecret, _ := stateString(state, address, "secret")
		for _, app := range em.Apps(account) {
			if app.UID != uid {
				continue
			}
			if app.Name != name {
				return fmt.Errorf("emulator has name %q, state has %q", app.Name, name)
			}
			if !hasSecret || app.Secret != secret {
				return fmt.Errorf("state secret does not match the secret the emulator issued for %s", uid)
			}
			return nil
		}
		return fmt.Errorf("emulator has no app %s in account %s", uid, account)
	})
}

// checkSecretIsEmulators is the TestCheckFunc form of the secret half of
// expectEmulatorApp, for steps (such as RefreshState) that take no state checks.
func checkSecretIsEmulators(em *emulator.Running, address string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s not in state", address)
		}
		a := rs.Primary.Attributes
		for _, app := range em.Apps(a["account_id"]) {
			if app.UID == a["uid"] {
				if app.Secret != a["secret"] {
					return fmt.Errorf("state secret of %s is not the one the emulator issued", a["uid"])
				}
				return nil
			}
		}
		return fmt.Errorf("emulator has no app %s", a["uid"])
	}
}
