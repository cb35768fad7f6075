package provider

import (
	"context"
	"errors"
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

// The search for an object a create may have made runs on a context of its
// own, since the operation's may be cancelled already (Terraform's graceful
// stop waits for it). orphanRecheckWait is the pause before a second look when
// the first finds nothing, since the API may still be carrying the create out.
const (
	orphanSearchBudget = 90 * time.Second
	orphanRecheckWait  = 5 * time.Second
)

// addCreateError reports a failed create. Only a create the API provably did
// not carry out may be run again; when the outcome is unknown (its answer was
// lost, or the API answered with a server error), the account is searched for
// objects of the same name created since the request began, and the error
// names what the search found, or says it found nothing or failed, and how to
// look again. It never adopts an object it finds: that object's secret is lost.
func (k callsKind) addCreateError(ctx context.Context, d *providerData, diags *diag.Diagnostics, accountID, name string, started time.Time,
	timeout operationTimeout, err error,
) {
	if !callsapi.MaybeProcessed(err) { // the API provably did not carry it out
		if ctx.Err() != nil && !timeout.expired(ctx) {
			diags.AddError("Create of "+k.noun+" stopped", fmt.Sprintf(
				"Terraform stopped the operation before the create request for %s %q reached the Cloudflare API, so nothing was created. "+
					"Run terraform apply again to create it.", k.noun, name))
			return
		}
		diags.AddError("Unable to create "+k.noun, timeout.errorDetail(ctx, err, d.retryBudget))
		return
	}

	var b strings.Builder
	fmt.Fprintf(&b, "The create request for %s %q in account %s may have reached the Cloudflare API, but no usable answer came back. "+
		"It was not retried, because a retry could create a second %s.\n\n%s\n\n", k.noun, name, accountID, k.noun, describeFailure(err))
	if timeout.expired(ctx) {
		fmt.Fprintf(&b, "The create's timeout, %s, ran out while it waited for the answer.\n\n", timeout.name())
	}

	searchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), orphanSearchBudget)
	defer cancel()
	orphans, searchErr := k.findOrphans(searchCtx, d, accountID, name, started)
	if searchErr != nil || len(orphans) == 0 {
		tflog.Info(ctx, "looking again for an object a lost create may have made", map[string]any{"wait": orphanRecheckWait.String()})
		select {
		case <-time.After(orphanRecheckWait):
			orphans, searchErr = k.findOrphans(searchCtx, d, accountID, name, started)
		case <-searchCtx.Done():
		}
	}
	since := started.UTC().Format(time.RFC3339)
	lookLater := fmt.Sprintf("Before running terraform apply again, which would create another %s, look for one named %q created since %s:\n\n"+
		"  %s\n\nIf one is there, import it:\n\n%s\n\nIf none appears within a few minutes, the create was not carried out, and terraform apply creates it.",
		k.noun, name, since, k.listCommand(d.client, accountID), importCommand(accountID, "<uid>"))

	switch {
	case searchErr != nil:
		tflog.Warn(ctx, "listing to find an orphan after a lost create answer failed", map[string]any{"error": searchErr.Error()})
		fmt.Fprintf(&b, "Looking for it in the account failed too, so whether it exists is unknown. %s\n\n%s\n\n%s",
			describeFailure(searchErr), lookLater, k.importExplanation())
	case len(orphans) == 0:
		fmt.Fprintf(&b, "No %s named %q created since the request began was found in the account (looked twice, %s apart), "+
			"but the API may still be carrying the request out, so whether it exists is unknown. %s\n\n%s",
			k.noun, name, orphanRecheckWait, lookLater, k.importExplanation())
	default:
		which := "it is most likely the one this request created; import it"
		if len(orphans) > 1 {
			which = "this provider cannot tell which one this request created (another run may have made the others): import one and delete the others"
		}
		fmt.Fprintf(&b, "The account holds %d %s named %q created since the request began; %s:\n",
			len(orphans), pluralize(len(orphans), k.noun, k.pluralNoun), name, which)
		for _, o := range orphans {
			fmt.Fprintf(&b, "\n  uid %s (created %s)\n%s\n", o.UID, o.Created, importCommand(accountID, o.UID))
		}
		b.WriteString("\n" + k.importExplanation())
	}
	diags.AddError(k.noun+" may have been created, but its answer was lost", b.String())
}

// findOrphans lists the account for objects named name that were created
// since started (allowing for clock skew) by someone other than this process.
func (k callsKind) findOrphans(ctx context.Context, d *providerData, accountID, name string, started time.Time) ([]callsObject, error) {
	objects, err := k.list(ctx, d.client, accountID)
	if err != nil {
		return nil, err
	}
	var orphans []callsObject
	for _, o := range objects {
		created, perr := time.Parse(time.RFC3339Nano, o.Created)
		_, ours := d.createdHere.Load(o.UID)
		if o.Name == name && !ours && (perr != nil || !created.Before(started.Add(-clockSkew))) {
			orphans = append(orphans, o)
		}
	}
	return orphans, nil
}

// importCommand is the command that imports uid, indented as a line of its own.
func importCommand(accountID, uid string) string {
	return fmt.Sprintf("    terraform import '<address>' %s/%s", accountID, uid)
}

// importExplanation tells how to write the address in importCommand, which
// Terraform does not tell the provider, and what became of the secret.
func (k callsKind) importExplanation() string {
	return fmt.Sprintf("In the import command, <address> is the resource address Terraform shows with this error (\"with cloudflare_%s.NAME\"), "+
		"such as cloudflare_%s.NAME[0] for count or cloudflare_%s.NAME[\"key\"] for for_each; keep the single quotes (tofu import on OpenTofu). "+
		"Its %s is lost: the API returns it only in the answer that never arrived, and never again, so an imported %s has a null %s. "+
		"The only way to get a %s is to replace it: after the import, terraform apply -replace='<address>' deletes it and creates a new one.",
		k.typeName, k.typeName, k.typeName, k.secretAttr, k.noun, k.secretAttr, k.secretAttr)
}

// describeFailure says what a call got back, without advice: the advice for
// a create whose outcome is unknown is never "try again".
func describeFailure(err error) string {
	var apiErr *callsapi.Error
	if errors.As(err, &apiErr) {
		return "The Cloudflare API answered: " + apiErr.Error() + "."
	}
	var transportErr *callsapi.TransportError
	if errors.As(err, &transportErr) {
		return "No answer came from the Cloudflare API: " + transportErr.Error() + "."
	}
	return err.Error()
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
