// Package provider is the Terraform layer: the provider, its resources and its
// data sources. It talks to Cloudflare only through package callsapi.
package provider

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/kitapi"
)

// Environment variables read when the provider block leaves a setting out.
const (
	EnvAPIToken = "CLOUDFLARE_API_TOKEN" //nolint:gosec // the name of a variable, not a credential
	EnvAPIKey   = "CLOUDFLARE_API_KEY"   //nolint:gosec // the name of a variable, not a credential
	EnvEmail    = "CLOUDFLARE_EMAIL"
	EnvBaseURL  = "CLOUDFLARE_BASE_URL"
	// EnvRefreshWithList is read when the provider block leaves
	// refresh_with_list out: true or false, in any strconv.ParseBool form.
	EnvRefreshWithList = "CLOUDFLARE_CALLS_REFRESH_WITH_LIST"
)

var (
	_ provider.Provider                  = (*CloudflareProvider)(nil)
	_ provider.ProviderWithListResources = (*CloudflareProvider)(nil)
)

// CloudflareProvider is the cloudflare provider for Calls apps and TURN keys.
type CloudflareProvider struct {
	version string
}

// New returns a constructor for the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &CloudflareProvider{version: version} }
}

type providerModel struct {
	APIToken types.String `tfsdk:"api_token"`
	APIKey   types.String `tfsdk:"api_key"`
	Email    types.String `tfsdk:"email"`
	BaseURL  types.String `tfsdk:"base_url"`

	MaxRetries          types.Int64 `tfsdk:"max_retries"`
	RetryTimeoutSeconds types.Int64 `tfsdk:"retry_timeout_seconds"`

	RefreshWithList types.Bool `tfsdk:"refresh_with_list"`
}

// Retry settings: the default time budget of a call (6 minutes) covers one
// full 5-minute block of the API's rate limit, so that a plan started while
// another tool has spent the user's quota waits it out.
const (
	defaultMaxRetries          = callsapi.DefaultMaxRetries
	maxMaxRetries              = 20
	defaultRetryTimeoutSeconds = int64(callsapi.DefaultMaxRetryDuration / time.Second)
	maxRetryTimeoutSeconds     = 3600
)

func (p *CloudflareProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cloudflare"
	resp.Version = p.version
}

func (p *CloudflareProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	nonEmpty := stringvalidator.LengthAtLeast(1)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Cloudflare Calls (Realtime) apps and TURN keys, within the Cloudflare API's rate limit of 1,200 requests " +
			"per 5 minutes per user, which every tool using the same credential shares.",
		Attributes: map[string]schema.Attribute{
			"api_token": schema.StringAttribute{
				MarkdownDescription: "Cloudflare API token with Calls write permission. Falls back to the `" + EnvAPIToken + "` environment variable when the provider block sets no credential. Conflicts with `api_key`; an `email` beside it is ignored.",
				Optional:            true,
				Sensitive:           true,
				Validators: []validator.String{
					nonEmpty,
					stringvalidator.ConflictsWith(path.MatchRoot("api_key")),
				},
			},
			"api_key": schema.StringAttribute{
				MarkdownDescription: "Legacy global API key, used with `email`. Falls back to `" + EnvAPIKey + "`. Prefer `api_token`.",
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{nonEmpty, stringvalidator.AlsoRequires(path.MatchRoot("email"))},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "Account email for the legacy `api_key`. Falls back to `" + EnvEmail + "`.",
				Optional:            true,
				Validators:          []validator.String{nonEmpty, stringvalidator.AlsoRequires(path.MatchRoot("api_key"))},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times one API call is retried after a rate limit (429), a 500/502/503/504 "+
					"or a dropped connection: 0 to %d, default %d; 0 turns retries off. A create is retried only when the API provably did not "+
					"carry it out (a 429, or no connection), so a retry can never create an app twice.", maxMaxRetries, defaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, maxMaxRetries)},
			},
			"retry_timeout_seconds": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The most time one API call may take, in seconds, every wait included: the pacing that keeps "+
					"requests within the API's rate limit, a `Retry-After` when the API refuses anyway, the waits between retries and the "+
					"attempts themselves. 1 to %d, default %d, which waits out one full 5-minute block of the rate limit. A call that the "+
					"rate limit would hold longer is not sent: it fails at once, saying how long the limit holds requests and that this "+
					"setting is the one to raise.", maxRetryTimeoutSeconds, defaultRetryTimeoutSeconds),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, maxRetryTimeoutSeconds)},
			},
			"refresh_with_list": schema.BoolAttribute{
				MarkdownDescription: "Refresh apps and TURN keys with one list request per account and kind, instead of one request per object. " +
					"Defaults to `true`; falls back to the `" + EnvRefreshWithList + "` environment variable (`true` or `false`). " +
					"Secrets are kept from state either way (a list never carries them). An object missing from the list is confirmed " +
					"with its own request before it is removed from state, and when a list fails, the objects of that account are read " +
					"with one request each. Set to `false` to read every object with its own request.",
				Optional: true,
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "Cloudflare API base URL. Falls back to `" + EnvBaseURL + "`, then to `" + callsapi.DefaultBaseURL + "`. " +
					"Must be https, except for a loopback host (127.0.0.0/8, ::1, localhost) such as the bundled emulator.",
				Optional:   true,
				Validators: []validator.String{nonEmpty},
			},
		},
	}
}

func (p *CloudflareProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	for attr, v := range map[string]attr.Value{"api_token": cfg.APIToken, "api_key": cfg.APIKey, "email": cfg.Email, "base_url": cfg.BaseURL,
		"max_retries": cfg.MaxRetries, "retry_timeout_seconds": cfg.RetryTimeoutSeconds, "refresh_with_list": cfg.RefreshWithList} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(attr), "Unknown provider setting",
				fmt.Sprintf("The provider cannot be configured because %q depends on a value that is only known after apply. "+
					"Set it to a literal or variable, or use its environment variable, so that it is known at plan time.", attr))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	// Credentials set in the provider block win over the environment as a
	// whole, so a CLOUDFLARE_API_KEY left in a shell cannot clash with an
	// api_token written in the configuration.
	token, key, email := cfg.APIToken.ValueString(), cfg.APIKey.ValueString(), cfg.Email.ValueString()
	if cfg.APIToken.IsNull() && cfg.APIKey.IsNull() && cfg.Email.IsNull() {
		token, key, email = os.Getenv(EnvAPIToken), os.Getenv(EnvAPIKey), os.Getenv(EnvEmail)
	}
	baseURL := cfg.BaseURL.ValueString()
	if cfg.BaseURL.IsNull() {
		baseURL = os.Getenv(EnvBaseURL)
	}
	if baseURL == "" {
		baseURL = callsapi.DefaultBaseURL
	}

	switch {
	case token != "" && key != "":
		resp.Diagnostics.AddAttributeError(path.Root("api_token"), "Conflicting Cloudflare credentials",
			"Both an API token and a legacy API key are set (in the provider block or through "+EnvAPIToken+" and "+EnvAPIKey+"). "+
				"Use exactly one kind of credential: remove api_key, or api_token.")
	case token == "" && key == "" && email == "":
		resp.Diagnostics.AddAttributeError(path.Root("api_token"), "Missing Cloudflare API token",
			"The provider needs a Cloudflare API token. Set api_token in the provider block or the "+EnvAPIToken+" environment variable "+
				"(or, legacy, api_key with email, or "+EnvAPIKey+" with "+EnvEmail+").")
	case token == "" && key == "":
		resp.Diagnostics.AddAttributeError(path.Root("api_key"), "Missing Cloudflare API key",
			"An email is set but no API key. Set api_key or "+EnvAPIKey+", or use api_token ("+EnvAPIToken+") instead of email.")
	case token == "" && email == "":
		resp.Diagnostics.AddAttributeError(path.Root("email"), "Missing Cloudflare account email",
			"A legacy API key is set but no email. Set email or "+EnvEmail+", or use api_token ("+EnvAPIToken+") instead.")
	}
	if token != "" {
		// An email alone is no credential; CI shells often export
		// CLOUDFLARE_EMAIL beside a token, as the official provider allows.
		email = ""
	}
	if msg := checkBaseURL(baseURL); msg != "" {
		resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Invalid Cloudflare API base URL", msg)
	}
	refreshWithList := true
	if !cfg.RefreshWithList.IsNull() {
		refreshWithList = cfg.RefreshWithList.ValueBool()
	} else if raw := os.Getenv(EnvRefreshWithList); raw != "" {
		v, err := strconv.ParseBool(raw)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("refresh_with_list"), "Invalid "+EnvRefreshWithList,
				fmt.Sprintf("%s must be true or false, got %q. Fix or unset it, or set refresh_with_list in the provider block.", EnvRefreshWithList, raw))
		}
		refreshWithList = v
	}
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = maskCredentials(ctx, token, key)
	holds := &rateLimitHolds{}
	retryBudget := time.Duration(int64OrDefault(cfg.RetryTimeoutSeconds, defaultRetryTimeoutSeconds)) * time.Second
	client, err := callsapi.New(callsapi.Config{
		BaseURL:   baseURL,
		APIToken:  token,
		APIKey:    key,
		Email:     email,
		UserAgent: fmt.Sprintf("terraform-provider-cloudflare/%s (terraform %s)", p.version, req.TerraformVersion),
		OnRequest: logRequest,
		OnRateLimit: func(ctx context.Context, hold callsapi.RateLimitHold) {
			logRateLimit(ctx, hold)
			holds.record(hold)
		},

		MaxRetries:       retriesFromConfig(cfg.MaxRetries),
		MaxRetryDuration: retryBudget,
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to create Cloudflare API client", err.Error())
		return
	}
	tflog.Debug(ctx, "configured Cloudflare Calls client", map[string]any{"base_url": baseURL, "legacy_key_auth": token == "", "refresh_with_list": refreshWithList})

	data := &providerData{client: client, kit: kitapi.New(client), secrets: []string{token, key}, snapshots: newRefreshSnapshots(clientReader{client}, refreshWithList),
		retryBudget: retryBudget, holds: holds}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

// retriesFromConfig maps max_retries onto the client, where 0 means "default".
func retriesFromConfig(v types.Int64) int {
	n := int64OrDefault(v, int64(defaultMaxRetries))
	if n == 0 {
		return callsapi.NoRetries
	}
	return int(n)
}

func int64OrDefault(v types.Int64, def int64) int64 {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueInt64()
}

// Resources, DataSources and ListResources register each Calls type once
// per kind: cloudflare_calls_app and cloudflare_calls_turn_key, their data
// sources and plural data sources, and their list resources.
func (p *CloudflareProvider) Resources(_ context.Context) []func() resource.Resource {
	return append(perKind(func(b kindBound) resource.Resource { return &callsResource{b} }),
		kitResources...)
}

func (p *CloudflareProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return append(append(
		perKind(func(b kindBound) datasource.DataSource { return &callsObjectDataSource{b} }),
		perKind(func(b kindBound) datasource.DataSource { return &callsObjectsDataSource{b} })...),
		kitDataSources...)
}

// The RealtimeKit types, one line each, in the order apps, presets, webhooks.
var (
	kitResources = []func() resource.Resource{
		newKitAppResource,
		newKitPresetResource,
		newKitWebhookResource,
	}
	kitDataSources = []func() datasource.DataSource{
		newKitAppsDataSource,
		newKitPresetsDataSource,
		newKitWebhooksDataSource,
	}
)

func (p *CloudflareProvider) ListResources(_ context.Context) []func() list.ListResource {
	return perKind(func(b kindBound) list.ListResource { return &callsListResource{b} })
}

// checkBaseURL returns why raw cannot be used as the API base URL, or "".
// Plain http is allowed only to loopback, so a token never crosses a network
// in clear text.
func checkBaseURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Sprintf("%q is not an absolute http(s) URL. Use the form https://api.cloudflare.com/client/v4.", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Sprintf("%q uses plain http to a host that is not loopback, which would send the API token in clear text. "+
			"Use https, or http only to 127.0.0.0/8, ::1 or localhost (for example the bundled emulator).", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Sprintf("%q must not carry a query or fragment.", raw)
	}
	return ""
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
