resource "cloudflare_calls_app" "example" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "my-realtime-app"
}

# The secret is known only to the state of the configuration that created the
# app. Hand it to whatever needs it without printing it.
output "calls_app_secret" {
  value     = cloudflare_calls_app.example.secret
  sensitive = true
}
