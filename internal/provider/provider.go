// Package provider is the Terraform layer: the provider, its resources and its
// data sources. It talks to Cloudflare only through package callsapi.
package provider

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
)

// Environment variables read when the provider block leaves a setting out.
const (
	EnvAPIToken = "CLOUDFLARE_API_TOKEN"
	EnvAPIKey   = "CLOUDFLARE_API_KEY"
	EnvEmail    = "CLOUDFLARE_EMAIL"
	EnvBaseURL  = "CLOUDFLARE_BASE_URL"
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
}

func (p *CloudflareProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "cloudflare"
	resp.Version = p.version
}

func (p *CloudflareProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	nonEmpty := stringvalidator.LengthAtLeast(1)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Cloudflare Calls (Realtime) apps and TURN keys.",
		Attributes: map[string]schema.Attribute{
			"api_token": schema.StringAttribute{
				MarkdownDescription: "Cloudflare API token with Calls write permission. Falls back to the `" + EnvAPIToken + "` environment variable when the provider block sets no credential. Conflicts with `api_key` and `email`.",
				Optional:            true,
				Sensitive:           true,
				Validators: []validator.String{
					nonEmpty,
					stringvalidator.ConflictsWith(path.MatchRoot("api_key"), path.MatchRoot("email")),
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

	for attr, v := range map[string]types.String{"api_token": cfg.APIToken, "api_key": cfg.APIKey, "email": cfg.Email, "base_url": cfg.BaseURL} {
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
	case token != "" && (key != "" || email != ""):
		resp.Diagnostics.AddAttributeError(path.Root("api_token"), "Conflicting Cloudflare credentials",
			"Both an API token and a legacy API key/email are set (in the provider block or through "+EnvAPIToken+", "+EnvAPIKey+" and "+EnvEmail+"). "+
				"Use exactly one kind of credential: remove api_key and email, or api_token.")
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
	if msg := checkBaseURL(baseURL); msg != "" {
		resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Invalid Cloudflare API base URL", msg)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = maskCredentials(ctx, token, key)
	client, err := callsapi.New(callsapi.Config{
		BaseURL:   baseURL,
		APIToken:  token,
		APIKey:    key,
		Email:     email,
		UserAgent: fmt.Sprintf("terraform-provider-cloudflare/%s (terraform %s)", p.version, req.TerraformVersion),
		OnRequest: logRequest,
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to create Cloudflare API client", err.Error())
		return
	}
	tflog.Debug(ctx, "configured Cloudflare Calls client", map[string]any{"base_url": baseURL, "legacy_key_auth": token == ""})

	data := &providerData{client: client, secrets: []string{token, key}}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

func (p *CloudflareProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewCallsAppResource,
		NewCallsTURNKeyResource,
	}
}

func (p *CloudflareProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewCallsAppDataSource,
		NewCallsAppsDataSource,
		NewCallsTURNKeyDataSource,
		NewCallsTURNKeysDataSource,
	}
}

func (p *CloudflareProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewCallsAppListResource,
		NewCallsTURNKeyListResource,
	}
}

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	client *callsapi.Client
	// secrets are the credentials, masked in every log line written with a
	// context that went through withMasks.
	secrets []string
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
