# Terraform 1.5 and later can import with a block instead of the command.
import {
  to = cloudflare_calls_turn_key.example
  id = "0123456789abcdef0123456789abcdef/6e2f0a7f7b5c4c3fa9d1e0b2c4d6f8a1"
}
