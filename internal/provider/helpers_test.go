package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
	"github.com/calls-terraform/terraform-provider-cloudflare/internal/emulator"
)

const (
	testAccountID      = "0123456789abcdef0123456789abcdef"
	otherTestAccountID = "fedcba9876543210fedcba9876543210"
	testToken          = "test-token-0000000000000000000000000000"
)

var (
	hex32   = regexp.MustCompile(`^[0-9a-f]{32}$`)
	hex64   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)
)

func testProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"cloudflare": providerserver.NewProtocol6WithError(New("test")()),
	}
}

// testEmulator starts an in-process Calls API emulator on loopback that
// accepts testToken, and stops it when the test ends.
func testEmulator(t *testing.T) *emulator.Running {
	t.Helper()
	return startEmulator(t, emulator.Options{Tokens: []string{testToken}})
}

// testEmulatorWithKey is testEmulator that also accepts the legacy API key
// apiKey with the email ops@example.com.
func testEmulatorWithKey(t *testing.T, apiKey string) *emulator.Running {
	t.Helper()
	return startEmulator(t, emulator.Options{
		Tokens: []string{testToken},
		Keys:   []emulator.Credential{{Email: "ops@example.com", Key: apiKey}},
	})
}

func startEmulator(t *testing.T, o emulator.Options) *emulator.Running {
	t.Helper()
	em, err := emulator.Start(o)
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(em.Close)
	return em
}

// providerBlock configures the provider for em with an explicit token, so a
// test does not depend on the environment.
func providerBlock(em *emulator.Running) string { return providerConfig(em.URL, testToken) }

// providerConfig is a provider block for the API at baseURL with token, and
// any further settings ("max_retries = 0"), one a line.
func providerConfig(baseURL, token string, settings ...string) string {
	var more strings.Builder
	for _, s := range settings {
		more.WriteString("  " + s + "\n")
	}
	return fmt.Sprintf(`
provider "cloudflare" {
  base_url  = %q
  api_token = %q
%s}
`, baseURL, token, more.String())
}

// testClient is an outside client, used to change things behind Terraform's
// back and to check what exists.
func testClient(t *testing.T, em *emulator.Running) *callsapi.Client {
	t.Helper()
	c, err := callsapi.New(callsapi.Config{BaseURL: em.URL, APIToken: testToken})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return c
}

// importID builds "<account_id>/<uid>" from the state of a resource.
// checkAPI is a TestCheckFunc of what the API holds or was sent, for a
// check that needs nothing of the state.
func checkAPI(check func() error) resource.TestCheckFunc {
	return func(*terraform.State) error { return check() }
}

func importID(resourceName string) func(*terraform.State) (string, error) {
	return func(s *terraform.State) (string, error) {
		rs, ok := s.RootModule().Resources[resourceName]
		if !ok {
			return "", fmt.Errorf("%s not in state", resourceName)
		}
		return rs.Primary.Attributes["account_id"] + "/" + rs.Primary.Attributes["uid"], nil
	}
}

// needsCLI marks a test that drives the real Terraform (or OpenTofu) CLI:
// -short skips it, so that `make test-fast` (go test -short ./...) runs
// every test that needs no CLI. Every test that runs the CLI goes through
// it, by cliTest, parallelUnitTest or newCLI.
func needsCLI(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("drives the real CLI; -short runs only the tests that need none")
	}
}

// cliTest runs a test case on the real Terraform CLI without TF_ACC (every
// test here talks to an in-process emulator).
func cliTest(t *testing.T, c resource.TestCase) {
	t.Helper()
	needsCLI(t)
	resource.UnitTest(t, c)
}

// parallelUnitTest is cliTest in parallel with other tests.
func parallelUnitTest(t *testing.T, c resource.TestCase) {
	t.Helper()
	needsCLI(t)
	t.Parallel()
	resource.UnitTest(t, c)
}

// The emulator's routes, as its faults and counters name them, and its
// counters' keys: method and route.
const (
	appsRoute     = "/accounts/{account_id}/calls/apps"
	appRoute      = "/accounts/{account_id}/calls/apps/{app_id}"
	turnKeysRoute = "/accounts/{account_id}/calls/turn_keys"

	listAppsRoute     = appsRoute
	listTURNKeysRoute = turnKeysRoute
	listApps          = "GET " + listAppsRoute
	getApp            = "GET " + appRoute
	listTURNKeys      = "GET " + listTURNKeysRoute
	getTURNKey        = "GET /accounts/{account_id}/calls/turn_keys/{key_id}"
)

// inject adds the fault f to em, or fails the test.
func inject(t *testing.T, em *emulator.Running, f emulator.Fault) {
	t.Helper()
	if err := em.InjectFault(f); err != nil {
		t.Fatalf("injecting %v: %v", f, err)
	}
}

// requestsTo reads the emulator's counter for one method and route.
func requestsTo(em *emulator.Running, method, route string) int64 {
	return em.Counters()[method+" "+route]
}

// getRequests is how many GET requests em has answered.
func getRequests(em *emulator.Running) int64 {
	var n int64
	for key, v := range em.Counters() {
		if strings.HasPrefix(key, "GET ") {
			n += v
		}
	}
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
