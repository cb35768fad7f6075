package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// stringRule checks a string attribute at plan time where no validator of
// terraform-plugin-framework-validators fits: a value that is set and known,
// and that ok refuses, is an error titled title, whose detail is format
// applied to the attribute's path, the description and the value (%q, so
// that a space before or after it can be seen).
type stringRule struct {
	title, description, format string
	ok                         func(string) bool
}

func (v stringRule) Description(context.Context) string { return v.description }

func (v stringRule) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v stringRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if s := req.ConfigValue.ValueString(); !v.ok(s) {
		resp.Diagnostics.AddAttributeError(req.Path, v.title, fmt.Sprintf(v.format, req.Path, v.description, s))
	}
}

// idValidator checks that a string is a Cloudflare id; what names it in the
// error ("account id").
func idValidator(what string) validator.String {
	return stringRule{
		title:       "Invalid Attribute Value Match",
		description: fmt.Sprintf("must be a Cloudflare %s: 32 lowercase hexadecimal characters", what),
		format:      "Attribute %s %s, got %q",
		ok:          cloudflareIDPattern.MatchString,
	}
}
