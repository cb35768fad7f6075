resource "cloudflare_calls_app" "media" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "media"
}

# Marked sensitive, the secret is never printed by plan, apply or output;
# `terraform output -raw calls_app_secret` hands it to a script that needs it.
output "calls_app_secret" {
  value     = cloudflare_calls_app.media.secret
  sensitive = true
}
