package provider

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// kitIDPattern matches RealtimeKit ids (apps, presets, webhooks): UUIDs in
// lowercase, as the API writes them; it does not find an id in capitals.
var kitIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// kitAppIDValidator checks an app_id at plan time.
func kitAppIDValidator() validator.String {
	return stringvalidator.RegexMatches(kitIDPattern, "must be a RealtimeKit app id, a UUID such as 0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f")
}

// dataSourceKitAppID is the app_id attribute of the data sources that list
// what is in a RealtimeKit app.
var dataSourceKitAppID = schema.StringAttribute{
	MarkdownDescription: "The id of the RealtimeKit app (a UUID).",
	Required:            true,
	Validators:          []validator.String{kitAppIDValidator()},
}

// parseKitImportID splits a RealtimeKit import id, "<account_id>/<app_id>"
// or "<account_id>/<app_id>/<id>" (one name per part after the account),
// and checks each part: the account id is a Cloudflare id, the rest UUIDs.
func parseKitImportID(id string, names ...string) ([]string, error) {
	parts := strings.Split(id, "/")
	ok := len(parts) == len(names)+1 && cloudflareIDPattern.MatchString(parts[0])
	for _, p := range parts[1:] {
		ok = ok && kitIDPattern.MatchString(p)
	}
	if !ok {
		return nil, fmt.Errorf("expected <account_id>/<%s>: an account id of 32 lowercase hexadecimal characters, then %s "+
			"(lowercase UUIDs such as 0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f), joined by slashes; got %q",
			strings.Join(names, ">/<"), strings.Join(names, " and "), id)
	}
	return parts, nil
}
