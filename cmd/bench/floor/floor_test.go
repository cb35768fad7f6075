package main

import (
	"testing"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/provider"
)

// The floor serves every resource of the real provider (Terraform asks for
// all their schemas before any plan), and gives the two Calls resources,
// whose plans the bench times, the Read that sends nothing.
func TestFloor_servesEveryResourceAndFloorsTheCallsOnes(t *testing.T) {
	real := provider.New("test")().Resources(t.Context())
	got := newFloor(provider.New("test"))().Resources(t.Context())
	if len(got) != len(real) {
		t.Fatalf("the floor serves %d resources, the provider %d", len(got), len(real))
	}
	floored := 0
	for _, newResource := range got {
		if _, ok := newResource().(*floorResource); ok {
			floored++
		}
	}
	if floored != 2 {
		t.Errorf("%d resources have the floor's Read, want the two Calls ones", floored)
	}
}
