package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// idFormat checks that a string is a Cloudflare id. Its error quotes the
// value, so that a space before or after the id can be seen.
type idFormat struct{ what string }

func (v idFormat) Description(context.Context) string {
	return fmt.Sprintf("must be a Cloudflare %s: 32 lowercase hexadecimal characters", v.what)
}

func (v idFormat) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v idFormat) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if s := req.ConfigValue.ValueString(); !cloudflareIDPattern.MatchString(s) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value Match",
			fmt.Sprintf("Attribute %s %s, got %q", req.Path, v.Description(ctx), s))
	}
}
