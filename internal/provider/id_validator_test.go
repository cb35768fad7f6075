package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestIDValidator_quotesTheValue(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  string // "" for no error
	}{
		{testAccountID, ""},
		{" " + testAccountID + " ", `Attribute account_id must be a Cloudflare account id: 32 lowercase hexadecimal characters, got " ` + testAccountID + ` "`},
		{testAccountID + "\t", `got "` + testAccountID + `\t"`},
		{"", `got ""`},
		{strings.ToUpper(testAccountID), `got "` + strings.ToUpper(testAccountID) + `"`},
	} {
		resp := &validator.StringResponse{}
		idValidator("account id").ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("account_id"), ConfigValue: types.StringValue(tc.value),
		}, resp)
		var got string
		for _, d := range resp.Diagnostics.Errors() {
			got += d.Detail()
		}
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.value, got, tc.want)
		}
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		resp := &validator.StringResponse{}
		idValidator("account id").ValidateString(context.Background(), validator.StringRequest{Path: path.Root("account_id"), ConfigValue: v}, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v: %v", v, resp.Diagnostics)
		}
	}
}

// On the real CLI, at plan time, before any request.
func TestIDValidator_spacesAreVisibleInThePlanError(t *testing.T) {
	em := testEmulator(t)
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      appConfig(em, " "+testAccountID+" ", "spaced"),
			ExpectError: regexp.MustCompile(`got "\s` + testAccountID + `\s"`),
		}},
	})
	if n := em.TotalRequests(); n != 0 {
		t.Errorf("a refused account id sent %d requests", n)
	}
}
