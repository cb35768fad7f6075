# The TURN keys named exactly "edge". Names are not unique, so the result is
# a list; one() fails the plan when more than one key has the name, and
# gives null when none has.
data "cloudflare_calls_turn_keys" "edge" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "edge"
}

output "edge_turn_key_id" {
  value = one(data.cloudflare_calls_turn_keys.edge.turn_keys[*].uid)
}
