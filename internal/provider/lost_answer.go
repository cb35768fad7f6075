package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// clockSkew is how much earlier than our own clock an object created by our
// request may be stamped by the API's clock. Objects this provider process
// created itself (count = N with one name, say) are never candidates.
const clockSkew = 2 * time.Minute

// addCreateError reports a failed create. When the request may have been
// carried out (its answer was lost, or the API answered with a server error),
// retrying blindly could create a second object, so nothing is retried:
// instead the account is searched for objects of the same name created since
// the request began, and the user is told how to import or delete each one.
func (k callsKind) addCreateError(ctx context.Context, d *providerData, diags *diag.Diagnostics, accountID, name string, started time.Time, err error) {
	if !callsapi.MaybeProcessed(err) {
		diags.AddError("Unable to create "+k.noun, apiErrorDetail(err))
		return
	}

	var b strings.Builder
	fmt.Fprintf(&b, "The create request for %s %q in account %s failed after it may have reached the Cloudflare API, "+
		"so it was not retried (a retry could create a second one).\n\n%s\n\n", k.noun, name, accountID, apiErrorDetail(err))

	objects, listErr := k.list(ctx, d.client, accountID)
	if listErr != nil {
		tflog.Warn(ctx, "listing to find an orphan after a lost create answer failed", map[string]any{"error": listErr.Error()})
		fmt.Fprintf(&b, "Listing the account to look for it failed too: %s\n\n"+
			"List the %s of account %s (for example with the cloudflare_%s data source and name = %q) and import or delete "+
			"any created since %s.", apiErrorDetail(listErr), k.pluralNoun, accountID, k.pluralTypeName, name, started.UTC().Format(time.RFC3339))
		return
	}

	var orphans []callsObject
	for _, o := range objects {
		created, perr := time.Parse(time.RFC3339Nano, o.Created)
		_, ours := d.createdHere.Load(o.UID)
		if o.Name == name && !ours && (perr != nil || !created.Before(started.Add(-clockSkew))) {
			orphans = append(orphans, o)
		}
	}
	if len(orphans) == 0 {
		fmt.Fprintf(&b, "No %s named %q created since the request began exists in the account, so the request was most likely "+
			"not carried out. It is safe to run terraform apply again.", k.noun, name)
		diags.AddError("Unable to create "+k.noun, b.String())
		return
	}

	which := "it is most likely the one this request created"
	if len(orphans) > 1 {
		which = "one of them is most likely the one this request created (another run may have made the others)"
	}
	fmt.Fprintf(&b, "The account holds %d %s named %q created since the request began; %s:\n",
		len(orphans), pluralize(len(orphans), k.noun, k.pluralNoun), name, which)
	for _, o := range orphans {
		fmt.Fprintf(&b, "\n  uid %s (created %s)\n    terraform import cloudflare_%s.<name> %s/%s\n", o.UID, o.Created, k.typeName, accountID, o.UID)
	}
	fmt.Fprintf(&b, "\nImport it into this resource (its address is shown above) with the command, or delete it and run terraform apply again. "+
		"Its %s cannot be recovered: the API returns it only in the answer that was lost, so an imported %s has a null %s; "+
		"if you need the %s, delete it and let Terraform create a new one.", k.secretAttr, k.noun, k.secretAttr, k.secretAttr)
	diags.AddError(k.noun+" may have been created, but its answer was lost", b.String())
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
