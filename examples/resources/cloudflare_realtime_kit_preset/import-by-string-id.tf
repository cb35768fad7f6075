# Terraform 1.5 and later can import with a block instead of the command.
import {
  to = cloudflare_realtime_kit_preset.host
  id = "0123456789abcdef0123456789abcdef/0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
}
