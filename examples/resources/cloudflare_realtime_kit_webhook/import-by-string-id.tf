# Terraform 1.5 and later can import with a block instead of the command.
import {
  to = cloudflare_realtime_kit_webhook.example
  id = "0123456789abcdef0123456789abcdef/0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f/11111111-2222-4333-8444-555555555555"
}
