# Every app of the account.
data "cloudflare_calls_apps" "all" {
  account_id = "0123456789abcdef0123456789abcdef"
}

# Only the apps named exactly "production".
data "cloudflare_calls_apps" "production" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "production"
}

output "app_ids" {
  value = data.cloudflare_calls_apps.all.apps[*].uid
}
