# Read a TURN key managed elsewhere. The key itself is not available here:
# the API returns it only on creation.
data "cloudflare_calls_turn_key" "shared" {
  account_id = "0123456789abcdef0123456789abcdef"
  key_id     = "6e2f0a7f7b5c4c3fa9d1e0b2c4d6f8a1"
}

output "shared_turn_key_modified" {
  value = data.cloudflare_calls_turn_key.shared.modified
}

# Or by name, which exactly one TURN key of the account must have.
data "cloudflare_calls_turn_key" "edge" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "edge-turn"
}

output "edge_turn_key_id" {
  value = data.cloudflare_calls_turn_key.edge.key_id
}
