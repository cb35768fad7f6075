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

// addCreateError reports a failed create of a Calls object (see lostCreate.report).
func (k callsKind) addCreateError(ctx context.Context, d *providerData, diags *diag.Diagnostics, accountID, name string, started time.Time,
	timeout operationTimeout, err error,
) {
	lostCreate{
		noun: k.noun, one: k.noun, many: k.pluralNoun, idName: "uid", accountID: accountID, name: name, started: started, timeout: timeout,
		list: func(ctx context.Context) ([]createdObject, error) {
			objects, err := k.list(ctx, d.client, accountID)
			return createdObjects(objects, func(o callsObject) createdObject { return createdObject{o.UID, o.Name, o.Created} }), err
		},
		listCommand:       k.listCommand(d.client, accountID),
		othersAdvice:      "import one and delete the others",
		importExplanation: k.importExplanation(),
	}.report(ctx, d, diags, err)
}

// createdObject is what the search after a lost create knows of an object.
type createdObject struct{ ID, Name, Created string }

// createdObjects is what the search knows of each of objects, as of tells it.
func createdObjects[T any](objects []T, of func(T) createdObject) []createdObject {
	found := make([]createdObject, len(objects))
	for i, o := range objects {
		found[i] = of(o)
	}
	return found
}

// lostCreate is a create that failed, and what the search for an object it
// may have made needs to know, for any kind of object: one of an account
// (Calls objects, RealtimeKit apps) or one of a RealtimeKit app (presets,
// webhooks), whose import id names the app too.
type lostCreate struct {
	noun string // in the title and the request's sentence: "Calls app", "RealtimeKit preset"
	// one and many name the object in the search's sentences: the noun and
	// its plural, or, inside an app, "preset" and "presets".
	one, many string
	idName    string // what the API calls the object's id: "uid", "id"
	accountID string
	appID     string // the app an object of an app is made in; empty for an object of an account
	name      string
	started   time.Time // when the create began
	timeout   operationTimeout
	// list lists the objects of the account (or the app) that may be named
	// name: all of them, or those a search by name returns.
	list func(ctx context.Context) ([]createdObject, error)
	// listCommand is a shell command that lists them, for a later look.
	listCommand string
	// othersAdvice says what to do with the objects that are not imported,
	// when there are several: "import one and delete the others".
	othersAdvice      string
	importExplanation string
}

// scope is where the object is made and looked for: "account" or "app".
func (l lostCreate) scope() string {
	if l.appID != "" {
		return "app"
	}
	return "account"
}

// where names the scope with its ids: "account <id>", "app <id> of account <id>".
func (l lostCreate) where() string {
	if l.appID != "" {
		return fmt.Sprintf("app %s of account %s", l.appID, l.accountID)
	}
	return "account " + l.accountID
}

// importCommand is the command that imports the object id, indented as a
// line of its own: <account_id>/<id>, or <account_id>/<app_id>/<id> in an app.
func (l lostCreate) importCommand(id string) string {
	scope := l.accountID
	if l.appID != "" {
		scope += "/" + l.appID
	}
	return fmt.Sprintf("    terraform import '<address>' %s/%s", scope, id)
}

// report adds the error of a failed create. Only a create the API provably
// did not carry out may be run again; when the outcome is unknown (its answer
// was lost, or the API answered with a server error), the account (or the
// app) is searched for objects of the same name created since the request
// began, and the error
// names what the search found, or says it found nothing or failed, and how to
// look again. It never adopts an object it finds.
func (l lostCreate) report(ctx context.Context, d *providerData, diags *diag.Diagnostics, err error) {
	noun, one, name, scope, timeout := l.noun, l.one, l.name, l.scope(), l.timeout
	if !callsapi.MaybeProcessed(err) { // the API provably did not carry it out
		if ctx.Err() != nil && !timeout.expired(ctx) {
			diags.AddError("Create of "+noun+" stopped", fmt.Sprintf(
				"Terraform stopped the operation before the create request for %s %q reached the Cloudflare API, so nothing was created. "+
					"Run terraform apply again to create it.", noun, name))
			return
		}
		diags.AddError("Unable to create "+noun, timeout.errorDetail(ctx, err, d.retryBudget))
		return
	}

	var b strings.Builder
	fmt.Fprintf(&b, "The create request for %s %q in %s may have reached the Cloudflare API, but no usable answer came back. "+
		"It was not retried, because a retry could create a second %s.\n\n%s\n\n", noun, name, l.where(), one, describeFailure(err))
	if timeout.expired(ctx) {
		fmt.Fprintf(&b, "The create's timeout, %s, ran out while it waited for the answer.\n\n", timeout.name())
	}

	searchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), orphanSearchBudget)
	defer cancel()
	orphans, searchErr := l.findOrphans(searchCtx, d)
	if searchErr != nil || len(orphans) == 0 {
		tflog.Info(ctx, "looking again for an object a lost create may have made", map[string]any{"wait": orphanRecheckWait.String()})
		select {
		case <-time.After(orphanRecheckWait):
			orphans, searchErr = l.findOrphans(searchCtx, d)
		case <-searchCtx.Done():
		}
	}
	since := l.started.UTC().Format(time.RFC3339)
	lookLater := fmt.Sprintf("Before running terraform apply again, which would create another %s, look for one named %q created since %s:\n\n"+
		"  %s\n\nIf one is there, import it:\n\n%s\n\nIf none appears within a few minutes, the create was not carried out, and terraform apply creates it.",
		one, name, since, l.listCommand, l.importCommand("<"+l.idName+">"))

	switch {
	case searchErr != nil:
		tflog.Warn(ctx, "listing to find an orphan after a lost create answer failed", map[string]any{"error": searchErr.Error()})
		fmt.Fprintf(&b, "Looking for it in the %s failed too, so whether it exists is unknown. %s\n\n%s\n\n%s",
			scope, describeFailure(searchErr), lookLater, l.importExplanation)
	case len(orphans) == 0:
		fmt.Fprintf(&b, "No %s named %q created since the request began was found in the %s (looked twice, %s apart), "+
			"but the API may still be carrying the request out, so whether it exists is unknown. %s\n\n%s",
			one, name, scope, orphanRecheckWait, lookLater, l.importExplanation)
	default:
		which := "it is most likely the one this request created; import it"
		if len(orphans) > 1 {
			which = "this provider cannot tell which one this request created (another run may have made the others): " + l.othersAdvice
		}
		fmt.Fprintf(&b, "The %s holds %d %s named %q created since the request began; %s:\n",
			scope, len(orphans), pluralize(len(orphans), one, l.many), name, which)
		for _, o := range orphans {
			fmt.Fprintf(&b, "\n  %s %s (created %s)\n%s\n", l.idName, o.ID, o.Created, l.importCommand(o.ID))
		}
		b.WriteString("\n" + l.importExplanation)
	}
	diags.AddError(noun+" may have been created, but its answer was lost", b.String())
}

// findOrphans lists the account (or the app) for objects named exactly name
// that were created since the create started (allowing for clock skew) by
// someone other than this process.
func (l lostCreate) findOrphans(ctx context.Context, d *providerData) ([]createdObject, error) {
	objects, err := l.list(ctx)
	if err != nil {
		return nil, err
	}
	var orphans []createdObject
	for _, o := range objects {
		created, perr := time.Parse(time.RFC3339Nano, o.Created)
		_, ours := d.createdHere.Load(o.ID)
		if o.Name == l.name && !ours && (perr != nil || !created.Before(l.started.Add(-clockSkew))) {
			orphans = append(orphans, o)
		}
	}
	return orphans, nil
}

// importExplanation tells how to write the address in importCommand, which
// Terraform does not tell the provider, and what became of the secret.
func (k callsKind) importExplanation() string {
	return importAddressHelp(k.typeName) + fmt.Sprintf(" "+
		"Its %s is lost: the API returns it only in the answer that never arrived, and never again, so an imported %s has a null %s. "+
		"The only way to get a %s is to replace it: after the import, terraform apply -replace='<address>' deletes it and creates a new one.",
		k.secretAttr, k.noun, k.secretAttr, k.secretAttr)
}

// importAddressHelp tells how to write the address in importCommand for a
// resource of typeName (without the provider's prefix).
func importAddressHelp(typeName string) string {
	return fmt.Sprintf("In the import command, <address> is the resource address Terraform shows with this error (\"with cloudflare_%s.NAME\"), "+
		"such as cloudflare_%s.NAME[0] for count or cloudflare_%s.NAME[\"key\"] for for_each; keep the single quotes (tofu import on OpenTofu).",
		typeName, typeName, typeName)
}

// describeFailure says what a call got back, without advice: the advice for
// a create whose outcome is unknown is never "try again".
func describeFailure(err error) string {
	var apiErr *callsapi.Error
	switch {
	case !errors.As(err, &apiErr):
		return err.Error()
	case apiErr.Err != nil:
		return "No answer came from the Cloudflare API: " + apiErr.Error() + "."
	}
	return "The Cloudflare API answered: " + apiErr.Error() + "."
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
