# Every RealtimeKit app of the account.
data "cloudflare_realtime_kit_apps" "all" {
  account_id = "0123456789abcdef0123456789abcdef"
}

# Only the apps named exactly "my-meetings" (names are not unique).
data "cloudflare_realtime_kit_apps" "mine" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "my-meetings"
}

output "realtime_kit_app_ids" {
  value = data.cloudflare_realtime_kit_apps.all.apps[*].id
}
