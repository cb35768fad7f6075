# Read an app managed elsewhere, for example by another team's configuration.
# Its secret is not available here: the API returns it only on creation.
data "cloudflare_calls_app" "shared" {
  account_id = "0123456789abcdef0123456789abcdef"
  app_id     = "526b63e68bd43e8eb162f00ca9c6db73"
}

output "shared_app_name" {
  value = data.cloudflare_calls_app.shared.name
}

# Or by name, which exactly one app of the account must have (one list
# request; none or several is an error that says which).
data "cloudflare_calls_app" "production" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "production"
}

output "production_app_id" {
  value = data.cloudflare_calls_app.production.app_id
}
