# An existing TURN key is imported by "<account_id>/<key_id>". The API never
# returns the key after it is created, so an imported TURN key has a null key.
terraform import cloudflare_calls_turn_key.example 0123456789abcdef0123456789abcdef/6e2f0a7f7b5c4c3fa9d1e0b2c4d6f8a1
