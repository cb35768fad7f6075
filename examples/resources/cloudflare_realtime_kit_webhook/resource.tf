# Post an app's meeting and recording events to a service of yours.
resource "cloudflare_realtime_kit_webhook" "example" {
  account_id = "0123456789abcdef0123456789abcdef"
  app_id     = "0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f"
  name       = "meeting-events"
  url        = "https://example.com/hooks/realtime"
  events     = ["meeting.started", "meeting.ended", "recording.statusUpdate"]

  # Optional: true unless set. Set to false to stop the posts and keep the webhook.
  enabled = true
}
