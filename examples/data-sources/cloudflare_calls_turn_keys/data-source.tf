# Every TURN key of the account.
data "cloudflare_calls_turn_keys" "all" {
  account_id = "0123456789abcdef0123456789abcdef"
}

# Only the TURN keys named exactly "edge".
data "cloudflare_calls_turn_keys" "edge" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "edge"
}

output "edge_turn_key_ids" {
  value = data.cloudflare_calls_turn_keys.edge.turn_keys[*].uid
}
