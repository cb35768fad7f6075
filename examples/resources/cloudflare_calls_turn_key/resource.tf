resource "cloudflare_calls_turn_key" "example" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "my-turn-key"
}

# The key is known only to the state of the configuration that created it.
# Hand it to whatever issues TURN credentials without printing it.
output "calls_turn_key" {
  value     = cloudflare_calls_turn_key.example.key
  sensitive = true
}
