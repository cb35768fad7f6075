# Every apply of a new resource creates a new app, even when the account
# already holds one of this name: to manage an existing app, import it.
# The API cannot rename or delete an app: a change of name is refused at plan
# time, and destroying only removes the app from the state.
resource "cloudflare_realtime_kit_app" "example" {
  account_id = "0123456789abcdef0123456789abcdef"
  name       = "my-meetings"
}

output "realtime_kit_app_id" {
  value = cloudflare_realtime_kit_app.example.id
}
