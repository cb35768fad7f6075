# Every webhook of an app; an app without webhooks gives an empty list.
data "cloudflare_realtime_kit_webhooks" "all" {
  account_id = "0123456789abcdef0123456789abcdef"
  app_id     = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
}

output "webhook_urls" {
  value = data.cloudflare_realtime_kit_webhooks.all.webhooks[*].url
}
