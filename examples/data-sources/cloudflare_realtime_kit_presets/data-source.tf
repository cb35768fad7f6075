# Every preset of an app.
data "cloudflare_realtime_kit_presets" "all" {
  account_id = "0123456789abcdef0123456789abcdef"
  app_id     = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
}

# Only the presets named "host" (names need not be unique).
data "cloudflare_realtime_kit_presets" "hosts" {
  account_id = "0123456789abcdef0123456789abcdef"
  app_id     = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
  name       = "host"
}

output "preset_ids" {
  value = { for p in data.cloudflare_realtime_kit_presets.all.presets : p.name => p.id... }
}
