package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// cloudflareIDPattern matches account ids and Calls object ids: 32 lowercase hex characters.
var cloudflareIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func idValidator(what string) validator.String {
	return stringvalidator.RegexMatches(cloudflareIDPattern,
		fmt.Sprintf("must be a Cloudflare %s: 32 lowercase hexadecimal characters", what))
}

// parseImportID splits "<account_id>/<object_id>" and checks both parts.
func parseImportID(id, objectName string) (accountID, objectID string, err error) {
	parts := strings.Split(id, "/")
	if len(parts) != 2 || !cloudflareIDPattern.MatchString(parts[0]) || !cloudflareIDPattern.MatchString(parts[1]) {
		return "", "", fmt.Errorf("expected <account_id>/<%s>, two ids of 32 lowercase hexadecimal characters joined by a slash, got %q", objectName, id)
	}
	return parts[0], parts[1], nil
}

// apiErrorDetail turns a client error into a diagnostic detail: the HTTP
// status with the API's own codes and messages, plus what to do next.
func apiErrorDetail(err error) string {
	var apiErr *callsapi.Error
	if errors.As(err, &apiErr) {
		hint := ""
		switch apiErr.StatusCode {
		case 401, 403:
			hint = "\n\nCheck that the API token (or key and email) is valid and has the Calls write permission on this account."
		case 400:
			hint = "\n\nCheck the account_id and the object's id."
		}
		return "The Cloudflare API refused the request: " + apiErr.Error() + hint
	}
	var transportErr *callsapi.TransportError
	if errors.As(err, &transportErr) {
		return "The Cloudflare API could not be reached: " + transportErr.Error() +
			"\n\nCheck base_url and the network, then try again."
	}
	return err.Error()
}
