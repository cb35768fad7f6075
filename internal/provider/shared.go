package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/calls-terraform/terraform-provider-cloudflare/internal/callsapi"
)

// cloudflareIDPattern matches account ids and Calls object ids: 32 lowercase hex characters.
var cloudflareIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

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
	if detail, ok := rateLimitDetail(err); ok {
		return detail
	}
	var apiErr *callsapi.Error
	switch {
	case !errors.As(err, &apiErr):
		return err.Error()
	case apiErr.Err != nil:
		return "The Cloudflare API could not be reached: " + apiErr.Error() +
			"\n\nCheck base_url and the network, then try again."
	case elsewhere(apiErr):
		return "The request failed: " + apiErr.Error() + apiErrorHint(apiErr)
	}
	return "The Cloudflare API refused the request: " + apiErr.Error() + apiErrorHint(apiErr)
}

// Cloudflare error codes that call for their own advice.
const (
	codeNoRoute           = 7000  // "No route for that URI": the URL is wrong
	codeInvalidObjectID   = 7003  // "Could not route to ..., perhaps your object identifier is invalid?"
	codeInvalidHeaders    = 6003  // "Invalid request headers"
	codeInvalidAuthHeader = 6111  // "Invalid format for Authorization header", in 6003's error_chain
	codeAuthError         = 10000 // "Authentication error"
)

const baseURLAdvice = "check base_url (or CLOUDFLARE_BASE_URL), which must be the API's base URL, ending in /client/v4 " +
	"like the default " + callsapi.DefaultBaseURL + "."

// apiErrorHint says what to do about an API error, or nothing when the
// answer itself says it all.
func apiErrorHint(e *callsapi.Error) string {
	switch {
	case elsewhere(e):
		return "\n\nThe answer was not a Cloudflare API answer, so the request most likely went somewhere else: " + baseURLAdvice
	case hasErrorCode(e.Errors, codeNoRoute):
		return "\n\nThe API has no route for this URL: " + baseURLAdvice
	case e.StatusCode == 404 && hasErrorCode(e.Errors, codeInvalidObjectID) && isCollectionPath(e.Path):
		return "\n\nThe API could not route the request for this account: " + baseURLAdvice + " Then check that account_id is the right account."
	case e.StatusCode == 404 && hasErrorCode(e.Errors, codeInvalidObjectID):
		return "\n\nThe API could not route the request for this object: check the account_id and the object's id, then that base_url ends in /client/v4."
	case hasErrorCode(e.Errors, codeInvalidHeaders) || hasErrorCode(e.Errors, codeInvalidAuthHeader):
		return "\n\nThe API could not read the credential: it is empty or malformed. Check api_token (or CLOUDFLARE_API_TOKEN): " +
			"the token alone, without quotes, spaces, line breaks or a \"Bearer \" prefix. With api_key and email " +
			"(CLOUDFLARE_API_KEY, CLOUDFLARE_EMAIL), check both."
	case e.StatusCode == 403 && hasErrorCode(e.Errors, codeAuthError):
		return "\n\nThe API did not accept the credential: the token is wrong, expired or revoked, or it lacks the " +
			permissionFor(e.Path) + " on this account. Check api_token (or CLOUDFLARE_API_TOKEN), and the token's permissions and " +
			"accounts in the Cloudflare dashboard."
	case e.StatusCode == 401 || e.StatusCode == 403:
		return "\n\nCheck that the API token (or key and email) is valid and has the " + permissionFor(e.Path) + " on this account."
	case e.StatusCode == 404 && isKitPath(e.Path):
		return "\n\nThe API found no such app or object: check that app_id names a RealtimeKit app of this account."
	case e.StatusCode == 400 && isKitPath(e.Path):
		// RealtimeKit validates the body: its message names the field.
		return "\n\nThe API refused a value of the configuration: fix the attribute its message names, then apply again."
	case e.StatusCode == 400:
		return "\n\nCheck the account_id and the object's id."
	}
	return ""
}

// isKitPath reports whether an API path is RealtimeKit's.
func isKitPath(path string) bool { return strings.Contains(path, "/realtime/kit/") }

// permissionFor names the token permission the API path needs.
func permissionFor(path string) string {
	if isKitPath(path) {
		return "Realtime Admin permission"
	}
	return "Calls write permission"
}

// elsewhere reports whether the answer most likely came from something
// other than the API (a wrong base_url): not an envelope, and not an error
// page of Cloudflare's edge (5xx). A create that may have been carried out
// is left to the lost-answer advice.
func elsewhere(e *callsapi.Error) bool {
	return e.NotAPIAnswer && e.StatusCode < 500 && !e.MaybeProcessed
}

// hasErrorCode reports whether code is among msgs or their error chains.
func hasErrorCode(msgs []callsapi.Message, code int) bool {
	for _, m := range msgs {
		if m.Code == code || hasErrorCode(m.ErrorChain, code) {
			return true
		}
	}
	return false
}

// isCollectionPath reports whether an API path names a collection (the
// account's apps or TURN keys) rather than one object: there the only id is
// the account's, which was checked before the request.
func isCollectionPath(p string) bool {
	return strings.HasSuffix(p, "/calls/apps") || strings.HasSuffix(p, "/calls/turn_keys")
}
