package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// A resource's timeouts block bounds one operation's whole time: the
// deadline goes on the operation's context, and the client makes every call
// fit in what is left of it (pacing, rate-limit waits, retries and attempts,
// a create's detached attempts included). Unset, an operation has no
// deadline of its own and each call keeps retry_timeout_seconds, as before
// the block existed.

var timeoutsOpts = timeouts.Opts{
	Create: true, Read: true, Update: true, Delete: true,
	CreateDescription: "The most time a create may take, every wait included (the rate limit's pacing and blocks, retries). " +
		"A create whose request may have reached the API when it runs out is never retried: it ends in the error that searches " +
		"the account for the object (for a few seconds after the timeout) and prints its import command. " +
		"A duration such as `\"90s\"` or `\"10m\"`.",
	ReadDescription:   "The most time a refresh of this object may take, every wait included. A duration such as `\"30s\"`.",
	UpdateDescription: "The most time a rename may take, every wait included. A duration such as `\"2m\"`.",
	DeleteDescription: "The most time a delete may take, every wait included. A delete cut short may still have been carried " +
		"out; the next run finds the object gone and counts it as deleted. A duration such as `\"2m\"`.",
}

// timeoutsType is the type of the timeouts block in state and plan.
var timeoutsType = timeouts.Type{ObjectType: types.ObjectType{AttrTypes: map[string]attr.Type{
	"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
}}}

func timeoutsBlock(ctx context.Context, k callsKind) schema.Block {
	block, _ := timeouts.Block(ctx, timeoutsOpts).(schema.SingleNestedBlock) // what Block returns
	for name, a := range block.Attributes {
		if s, ok := a.(schema.StringAttribute); ok {
			// The library checks that the value parses; a timeout of 0s or
			// less would end every operation before its first request.
			s.Validators = append(s.Validators, positiveDuration)
			block.Attributes[name] = s
		}
	}
	block.MarkdownDescription = fmt.Sprintf("Time limits for each operation on the %s, like the `timeouts` blocks of other providers. "+
		"Each bounds the whole operation, every wait of the API's rate limit included. Left out, an operation has no limit of its "+
		"own: each API call it makes may take up to the provider's `retry_timeout_seconds`.", k.shortNoun)
	return block
}

// timeoutsOrNull is v, or a null block of the right type for a zero Value.
func timeoutsOrNull(v timeouts.Value) timeouts.Value {
	if v.Object.Equal(types.Object{}) {
		return timeouts.Value{Object: types.ObjectNull(timeoutsType.AttrTypes)}
	}
	return v
}

// operationTimeout is one operation's entry of the timeouts block.
type operationTimeout struct {
	op string        // "create", "read", "update" or "delete"
	d  time.Duration // 0 when not set
}

// timeoutOf reads the op entry ("create"...) of the timeouts block v.
func timeoutOf(ctx context.Context, v timeouts.Value, op string, diags *diag.Diagnostics) operationTimeout {
	t := operationTimeout{op: op}
	if v.IsNull() || v.IsUnknown() {
		return t
	}
	get := map[string]func(context.Context, time.Duration) (time.Duration, diag.Diagnostics){
		"create": v.Create, "read": v.Read, "update": v.Update, "delete": v.Delete,
	}[op]
	d, ds := get(ctx, 0)
	diags.Append(ds...)
	t.d = d
	return t
}

// positiveDuration refuses a timeout of zero or less at plan time; one that
// does not parse is the timeouts library's to refuse.
var positiveDuration = stringRule{
	title:       "Invalid timeout",
	description: "must be a duration longer than zero, such as \"90s\" or \"10m\"",
	format:      "%s %s, got %q: it would end the operation before its first request.",
	ok: func(s string) bool {
		d, err := time.ParseDuration(s)
		return err != nil || d > 0
	},
}

// bound puts the timeout on ctx; it returns ctx as it is when none is set.
func (t operationTimeout) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if t.d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, t.d)
}

// expired reports whether the operation's timeout has run out (rather than
// Terraform stopping it). It reads the clock, not only ctx.Err(): the
// client's attempt ends on a timer of its own at the same deadline, which
// may fire before ctx's does.
func (t operationTimeout) expired(ctx context.Context) bool {
	if t.d <= 0 {
		return false
	}
	deadline, ok := ctx.Deadline()
	return errors.Is(ctx.Err(), context.DeadlineExceeded) || ok && !time.Now().Before(deadline)
}

// name is how the diagnostics write the setting: timeouts.create = "2m0s".
func (t operationTimeout) name() string { return fmt.Sprintf("timeouts.%s = %q", t.op, t.d) }

// errorDetail is apiErrorDetail for a call made within the operation, told
// in terms of the limit that bound it: a rate-limit wait longer than the
// timeout names the timeout rather than retry_timeout_seconds, and a call
// cut by the timeout says so rather than blaming the network. retryBudget
// is retry_timeout_seconds; the timeout binds when it is the shorter.
func (t operationTimeout) errorDetail(ctx context.Context, err error, retryBudget time.Duration) string {
	if t.d > 0 && t.d < retryBudget {
		if detail, ok := rateLimitDetailWithin(err, fmt.Sprintf("what is left of the %s's timeout, %s", t.op, t.name()),
			fmt.Sprintf("Raise timeouts.%s (a full 5-minute block needs more than 5m)", t.op)); ok {
			return detail
		}
	}
	if !t.expired(ctx) {
		return apiErrorDetail(err)
	}
	return fmt.Sprintf("The %s did not finish within its timeout, %s. %s\n\n%s", t.op, t.name(), describeFailure(err), map[string]string{
		"read":   "Raise timeouts.read, or run Terraform again.",
		"update": "The rename may still have been carried out: the next plan shows whether the name is as configured. Raise timeouts.update, or run terraform apply again.",
		"delete": "The delete may still have been carried out: an object already gone counts as deleted. Raise timeouts.delete, or run Terraform again.",
		"create": "Nothing was sent, so nothing was created. Raise timeouts.create, or run terraform apply again.",
	}[t.op])
}
