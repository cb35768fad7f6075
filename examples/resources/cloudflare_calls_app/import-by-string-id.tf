# Terraform 1.5 and later can import with a block instead of the command.
import {
  to = cloudflare_calls_app.example
  id = "0123456789abcdef0123456789abcdef/526b63e68bd43e8eb162f00ca9c6db73"
}
