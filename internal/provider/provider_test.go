package provider

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

// clearCloudflareEnv makes a test independent of the developer's shell.
func clearCloudflareEnv(t *testing.T) {
	for _, k := range []string{EnvAPIToken, EnvAPIKey, EnvEmail, EnvBaseURL, EnvRefreshWithList} {
		t.Setenv(k, "")
	}
}

const appOnly = `
resource "cloudflare_calls_app" "test" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "x"
}
`

// probeDataSource is read at plan time: a provider that accepted a bad
// configuration would send a request for it, which the emulator of each case
// below would count.
const probeDataSource = `
data "cloudflare_calls_apps" "probe" {
  account_id = "0123456789abcdef0123456789abcdef"
}
`

// Every bad provider configuration is refused at plan time with an error on
// the attribute at fault, and no request reaches the API. Each case has an
// emulator of its own, which CLOUDFLARE_BASE_URL names unless the case sets
// the base URL itself; "EMULATOR" in a case stands for the emulator's URL and
// "EMULATOR_PORT" for its port.
func TestProvider_badConfigurationIsRefusedBeforeAnyRequest(t *testing.T) {
	needsCLI(t)
	cases := []struct {
		name     string
		provider string
		env      map[string]string
		want     string
	}{
		{
			name: "no credentials anywhere",
			want: `(?s)Missing Cloudflare API token.*CLOUDFLARE_API_TOKEN`,
		},
		{
			name:     "token and key in the provider block",
			provider: `api_token = "t"` + "\n" + `api_key = "k"` + "\n" + `email = "a@example.com"`,
			want:     `(?s)Invalid Attribute Combination.*api_key`,
		},
		{
			name: "token and key in the environment",
			env:  map[string]string{EnvAPIToken: "t", EnvAPIKey: "k", EnvEmail: "a@example.com"},
			want: `Conflicting Cloudflare credentials`,
		},
		{
			name:     "key without email in the provider block",
			provider: `api_key = "k"`,
			want:     `(?s)Invalid Attribute Combination.*email`,
		},
		{
			name: "key without email in the environment",
			env:  map[string]string{EnvAPIKey: "k"},
			want: `(?s)Missing Cloudflare account email.*CLOUDFLARE_EMAIL`,
		},
		{
			name: "email without key in the environment",
			env:  map[string]string{EnvEmail: "a@example.com"},
			want: `(?s)Missing Cloudflare API key.*CLOUDFLARE_API_KEY`,
		},
		{
			name:     "empty token",
			provider: `api_token = ""`,
			want:     `(?s)api_token.*length must be at least 1`,
		},
		{
			name:     "empty api_key",
			provider: `api_key = ""` + "\n" + `email = "a@example.com"`,
			want:     `(?s)api_key.*length must be at least 1`,
		},
		{
			name:     "negative max_retries",
			provider: `api_token = "t"` + "\n" + `max_retries = -1`,
			want:     `(?s)max_retries.*between 0 and 20`,
		},
		{
			name:     "too many max_retries",
			provider: `api_token = "t"` + "\n" + `max_retries = 21`,
			want:     `(?s)max_retries.*between 0 and 20`,
		},
		{
			name:     "zero retry_timeout_seconds",
			provider: `api_token = "t"` + "\n" + `retry_timeout_seconds = 0`,
			want:     `(?s)retry_timeout_seconds.*between 1 and 3600`,
		},
		{
			name: "malformed base URL from the environment",
			env:  map[string]string{EnvAPIToken: "t", EnvBaseURL: "api.cloudflare.com/client/v4"},
			want: `(?s)Invalid Cloudflare API base URL.*not an absolute`,
		},
		{
			name:     "empty email",
			provider: `api_key = "k"` + "\n" + `email = ""`,
			want:     `(?s)email.*length must be at least 1`,
		},
		{
			name:     "empty base_url",
			provider: `api_token = "t"` + "\n" + `base_url = ""`,
			want:     `(?s)base_url.*length must be at least 1`,
		},
		{
			name:     "plain http to a remote host",
			provider: `api_token = "t"` + "\n" + `base_url = "http://api.example.com/client/v4"`,
			want:     `(?s)Invalid Cloudflare API base URL.*clear\s+text`,
		},
		{
			name: "plain http to a remote host from the environment",
			env:  map[string]string{EnvAPIToken: "t", EnvBaseURL: "http://10.0.0.1/client/v4"},
			want: `(?s)Invalid Cloudflare API base URL.*clear\s+text`,
		},
		{
			name:     "malformed base_url",
			provider: `api_token = "t"` + "\n" + `base_url = "://nope"`,
			want:     `(?s)Invalid Cloudflare API base URL.*not an absolute`,
		},
		{
			name:     "base_url with another scheme",
			provider: `api_token = "t"` + "\n" + `base_url = "ftp://127.0.0.1/client/v4"`,
			want:     `(?s)Invalid Cloudflare API base URL.*not an absolute`,
		},
		{
			name:     "relative base_url",
			provider: `api_token = "t"` + "\n" + `base_url = "/client/v4"`,
			want:     `(?s)Invalid Cloudflare API base URL.*not an absolute`,
		},
		{
			name:     "token only known after apply",
			provider: `api_token = terraform_data.later.output` + "\n" + `base_url = "EMULATOR"`,
			want:     `(?s)Unknown provider setting.*api_token`,
		},
		{
			name:     "base_url only known after apply",
			provider: fmt.Sprintf(`api_token = %q`, testToken) + "\n" + `base_url = terraform_data.later.output`,
			want:     `(?s)Unknown provider setting.*base_url`,
		},
		{
			name:     "email alone in the provider block, a token in the environment",
			provider: `email = "a@example.com"`,
			env:      map[string]string{EnvAPIToken: testToken},
			want:     `(?s)Invalid Attribute Combination.*api_key`,
		},
		{
			name:     "api_key alone in the provider block, a token in the environment",
			provider: `api_key = "k"`,
			env:      map[string]string{EnvAPIToken: testToken},
			want:     `(?s)Invalid Attribute Combination.*email`,
		},
		{
			// 0.0.0.0 is no loopback address, yet a connection to it reaches
			// this machine, so the emulator would count the request.
			name:     "plain http to 0.0.0.0",
			provider: fmt.Sprintf(`api_token = %q`, testToken) + "\n" + `base_url = "http://0.0.0.0:EMULATOR_PORT/client/v4"`,
			want:     `(?s)Invalid Cloudflare API base URL.*clear\s+text`,
		},
		{
			name: "plain http to 0.0.0.0 from the environment",
			env:  map[string]string{EnvAPIToken: testToken, EnvBaseURL: "http://0.0.0.0:EMULATOR_PORT/client/v4"},
			want: `(?s)Invalid Cloudflare API base URL.*clear\s+text`,
		},
		{
			name: "a valid token beside a key in the environment",
			env:  map[string]string{EnvAPIToken: testToken, EnvAPIKey: "k", EnvEmail: "a@example.com"},
			want: `Conflicting Cloudflare credentials`,
		},
		{
			name: "refresh_with_list from the environment is not a boolean",
			env:  map[string]string{EnvAPIToken: testToken, EnvRefreshWithList: "sometimes"},
			want: `(?s)Invalid CLOUDFLARE_CALLS_REFRESH_WITH_LIST.*must be true or false`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			em := testEmulator(t)
			u, err := url.Parse(em.URL)
			if err != nil {
				t.Fatal(err)
			}
			emulated := strings.NewReplacer("EMULATOR_PORT", u.Port(), "EMULATOR", em.URL)
			clearCloudflareEnv(t)
			t.Setenv(EnvBaseURL, em.URL)
			for k, v := range tc.env {
				t.Setenv(k, emulated.Replace(v))
			}
			config := fmt.Sprintf("provider \"cloudflare\" {\n%s\n}\n", emulated.Replace(tc.provider)) + appOnly + probeDataSource
			if strings.Contains(tc.provider, "terraform_data") {
				config += "resource \"terraform_data\" \"later\" {\n  input = \"x\"\n}\n"
			}
			cliTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if n := em.TotalRequests(); n != 0 {
				t.Errorf("the bad configuration sent %d requests to the API, want 0", n)
			}
		})
	}
}

// applyWithProviderFromEnvironment applies appOnly, which has no provider
// block, so the provider is configured from the environment alone; the app it
// creates must be in em.
func applyWithProviderFromEnvironment(t *testing.T, em *emulator.Running) {
	t.Helper()
	cliTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		CheckDestroy:             checkAppsDestroyed(t, em),
		Steps: []resource.TestStep{{
			Config:            appOnly,
			ConfigStateChecks: []statecheck.StateCheck{expectEmulatorApp(em, appAddr)},
		}},
	})
}

func TestProvider_credentialsFromEnvironment(t *testing.T) {
	em := testEmulator(t)
	clearCloudflareEnv(t)
	t.Setenv(EnvAPIToken, testToken)
	t.Setenv(EnvBaseURL, em.URL)
	applyWithProviderFromEnvironment(t, em)
}

func TestProvider_legacyKeyAndEmail(t *testing.T) {
	em, err := emulator.Start(emulator.Options{Keys: []emulator.Credential{{Email: "ops@example.com", Key: "legacy-global-key"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	clearCloudflareEnv(t)
	cliTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "cloudflare" {
  base_url = %q
  api_key  = "legacy-global-key"
  email    = "ops@example.com"
}
`, em.URL) + appOnly,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("secret"), knownvalue.StringRegexp(hex64)),
				expectEmulatorApp(em, appAddr),
			},
		}},
	})
	if n := em.AppCount(); n != 0 {
		t.Errorf("%d apps left after destroy", n)
	}
}

// A token in the provider block wins over credentials in the environment, so
// a stray variable in a CI shell cannot break a configured provider.
func TestProvider_providerBlockCredentialsWinOverEnvironment(t *testing.T) {
	em := testEmulator(t)
	clearCloudflareEnv(t)
	t.Setenv(EnvAPIKey, "stray-key")
	t.Setenv(EnvEmail, "stray@example.com")
	cliTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{{
			Config:            appConfig(em, testAccountID, "x"),
			ConfigStateChecks: []statecheck.StateCheck{expectEmulatorApp(em, appAddr)},
		}},
	})
}

// A provider block that sets any credential is never completed from the
// environment: an email alone (or a key alone) is an error on the attribute
// that is missing, even with a working token in CLOUDFLARE_API_TOKEN, and
// nothing is sent with that token. Terraform's validation refuses these
// blocks first (see TestProvider_badConfigurationIsRefusedBeforeAnyRequest);
// this speaks to Configure directly, as a Terraform that skipped validation
// would, so that Configure's own rule is tested too.
func TestProvider_blockCredentialsAreNeverCompletedFromTheEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name  string
		block map[string]tftypes.Value
		want  string // "" when the configuration must work
	}{
		{"email alone", map[string]tftypes.Value{"email": tfString("ops@example.com")}, "Missing Cloudflare API key"},
		{"api_key alone", map[string]tftypes.Value{"api_key": tfString("legacy-key")}, "Missing Cloudflare account email"},
		{"no credential: the environment's token is used", map[string]tftypes.Value{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			em := testEmulator(t)
			clearCloudflareEnv(t)
			t.Setenv(EnvAPIToken, testToken)
			p := newProtocolProvider(t, nil)
			block := map[string]tftypes.Value{"base_url": tfString(em.URL)}
			maps.Copy(block, tc.block)
			msg := p.configure(block)
			if tc.want != "" {
				if !strings.Contains(msg, tc.want) {
					t.Errorf("Configure said %q, want an error saying %q", msg, tc.want)
				}
				if msg == "" {
					// Configured anyway: see which credential it sends.
					p.readApps(testAccountID)
				}
				if n := em.TotalRequests(); n != 0 {
					t.Errorf("the provider sent %d requests with the environment's token, want 0", n)
				}
				return
			}
			if msg != "" {
				t.Fatalf("Configure: %s", msg)
			}
			if diags := p.readApps(testAccountID); diags != "" {
				t.Fatalf("reading with the environment's token: %s", diags)
			}
			if n := em.TotalRequests(); n != 1 {
				t.Errorf("%d requests, want the one list of the data source", n)
			}
		})
	}
}

func TestProvider_wrongTokenIsReportedWithStatusAndCode(t *testing.T) {
	em := testEmulator(t)
	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      providerConfig(em.URL, "not-the-right-token") + appOnly,
			ExpectError: regexp.MustCompile(`(?s)Unable to create Calls app.*HTTP 403.*10000.*Authentication error`),
		}},
	})
	if n := em.AppCount(); n != 0 {
		t.Errorf("%d apps created with a wrong token", n)
	}
}

func TestProvider_userAgentNamesProviderAndVersion(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Tokens: []string{testToken}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	agents := map[string]bool{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.UserAgent()] = true
		mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)

	parallelUnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories(),
		Steps: []resource.TestStep{{
			Config: providerConfig(ts.URL+"/client/v4", testToken) + appOnly,
		}},
	})
	mu.Lock()
	defer mu.Unlock()
	if len(agents) != 1 {
		t.Fatalf("want one user agent, got %v", agents)
	}
	for ua := range agents {
		if !regexp.MustCompile(`^terraform-provider-cloudflare/test \(terraform \d+\.\d+\.\d+(-[0-9A-Za-z.]+)?\)$`).MatchString(ua) {
			t.Errorf("user agent %q does not name the provider, its version and Terraform's", ua)
		}
	}
}

// CI shells often export CLOUDFLARE_EMAIL beside a token, which the official
// provider accepts: an email alone is no credential, so it is ignored.
func TestProvider_tokenWithEmailInTheEnvironmentWorks(t *testing.T) {
	em := testEmulator(t)
	clearCloudflareEnv(t)
	t.Setenv(EnvAPIToken, testToken)
	t.Setenv(EnvEmail, "ops@example.com")
	t.Setenv(EnvBaseURL, em.URL)
	applyWithProviderFromEnvironment(t, em)
}

// A base_url whose path is wrong answers 400 "no route": that is an error,
// never a sign that the apps are gone, so the state (and each secret) stays.
func TestProvider_wrongBaseURLPathKeepsState(t *testing.T) {
	em := testEmulator(t)
	wrong := providerConfig(em.URL+"/typo", testToken) + appTestKind.resourceBlock(testAccountID, "kept")
	parallelUnitTest(t, appKeptThrough(t, em, appConfig(em, testAccountID, "kept"), nil, nil, resource.TestStep{
		Config:      wrong,
		ExpectError: regexp.MustCompile(`(?s)Unable to read Calls app.*HTTP 400.*7000.*check\s+base_url`),
	}))
}

func TestProvider_checkBaseURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://api.cloudflare.com/client/v4": true,
		"https://10.0.0.1/client/v4":           true,
		"http://127.0.0.1:8787/client/v4":      true,
		"http://127.1.2.3/client/v4":           true,
		"http://localhost:8787/client/v4":      true,
		"http://LOCALHOST/client/v4":           true,
		"http://[::1]:8787/client/v4":          true,
		"http://api.cloudflare.com/client/v4":  false,
		"http://10.0.0.1/client/v4":            false,
		"http://localhost.example.com/":        false,
		"http://127.0.0.1.example.com/":        false,
		"http://[::2]/client/v4":               false,
		"ftp://127.0.0.1/client/v4":            false,
		"127.0.0.1:8787":                       false,
		"/client/v4":                           false,
		"https://":                             false,
		"https://api.cloudflare.com/v4?x=1":    false,
		"https://api.cloudflare.com/v4#frag":   false,
	} {
		if got := checkBaseURL(raw) == ""; got != ok {
			t.Errorf("checkBaseURL(%q) accepted = %v, want %v (%s)", raw, got, ok, checkBaseURL(raw))
		}
	}
}

// The bad configurations of TestProvider_badConfigurationIsRefusedBeforeAnyRequest,
// sent over the protocol as the CLI sends them (validation, then Configure),
// so that the fast tier checks every refusal and its words too.
func TestProvider_badConfigurationOverProtocolIsRefused(t *testing.T) {
	str, num := tfString, func(n int) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	cases := []struct {
		name  string
		block map[string]tftypes.Value
		env   map[string]string
		want  []string
	}{
		{"no credentials anywhere", nil, nil, []string{"Missing Cloudflare API token", "CLOUDFLARE_API_TOKEN"}},
		{"token and key in the provider block", map[string]tftypes.Value{"api_token": str("t"), "api_key": str("k"), "email": str("a@example.com")}, nil,
			[]string{"Invalid Attribute Combination", "api_key"}},
		{"token and key in the environment", nil, map[string]string{EnvAPIToken: "t", EnvAPIKey: "k", EnvEmail: "a@example.com"},
			[]string{"Conflicting Cloudflare credentials"}},
		{"key without email in the provider block", map[string]tftypes.Value{"api_key": str("k")}, nil, []string{"Invalid Attribute Combination", "email"}},
		{"key without email in the environment", nil, map[string]string{EnvAPIKey: "k"}, []string{"Missing Cloudflare account email", "CLOUDFLARE_EMAIL"}},
		{"email without key in the environment", nil, map[string]string{EnvEmail: "a@example.com"}, []string{"Missing Cloudflare API key", "CLOUDFLARE_API_KEY"}},
		{"email alone in the provider block, a token in the environment", map[string]tftypes.Value{"email": str("a@example.com")},
			map[string]string{EnvAPIToken: testToken}, []string{"Invalid Attribute Combination", "api_key"}},
		{"empty token", map[string]tftypes.Value{"api_token": str("")}, nil, []string{"api_token", "length must be at least 1"}},
		{"empty email", map[string]tftypes.Value{"api_key": str("k"), "email": str("")}, nil, []string{"email", "length must be at least 1"}},
		{"negative max_retries", map[string]tftypes.Value{"api_token": str("t"), "max_retries": num(-1)}, nil, []string{"max_retries", "between 0 and 20"}},
		{"too many max_retries", map[string]tftypes.Value{"api_token": str("t"), "max_retries": num(21)}, nil, []string{"max_retries", "between 0 and 20"}},
		{"zero retry_timeout_seconds", map[string]tftypes.Value{"api_token": str("t"), "retry_timeout_seconds": num(0)}, nil,
			[]string{"retry_timeout_seconds", "between 1 and 3600"}},
		{"plain http to a remote host", map[string]tftypes.Value{"api_token": str("t"), "base_url": str("http://api.example.com/client/v4")}, nil,
			[]string{"Invalid Cloudflare API base URL", "clear text"}},
		{"plain http to a remote host from the environment", nil, map[string]string{EnvAPIToken: "t", EnvBaseURL: "http://10.0.0.1/client/v4"},
			[]string{"Invalid Cloudflare API base URL", "clear text"}},
		{"relative base_url", map[string]tftypes.Value{"api_token": str("t"), "base_url": str("/client/v4")}, nil,
			[]string{"Invalid Cloudflare API base URL", "not an absolute"}},
		{"token only known after apply", map[string]tftypes.Value{"api_token": unknown}, nil, []string{"Unknown provider setting", "api_token"}},
		{"base_url only known after apply", map[string]tftypes.Value{"api_token": str(testToken), "base_url": unknown}, nil,
			[]string{"Unknown provider setting", "base_url"}},
		{"refresh_with_list from the environment is not a boolean", nil, map[string]string{EnvAPIToken: testToken, EnvRefreshWithList: "sometimes"},
			[]string{"Invalid CLOUDFLARE_CALLS_REFRESH_WITH_LIST", "must be true or false"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			em := testEmulator(t)
			clearCloudflareEnv(t)
			t.Setenv(EnvBaseURL, em.URL)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			p := newProtocolProvider(t, nil)
			msg := p.validateAndConfigure(tc.block)
			flat := strings.Join(strings.Fields(msg), " ")
			for _, want := range tc.want {
				if !strings.Contains(flat, want) {
					t.Errorf("the provider said %q, want it to say %q", msg, want)
				}
			}
			if n := em.TotalRequests(); n != 0 {
				t.Errorf("the bad configuration sent %d requests to the API, want 0", n)
			}
		})
	}
}
