# An existing app is imported by "<account_id>/<app_id>", the app id being the
# UUID the cloudflare_realtime_kit_apps data source lists.
terraform import cloudflare_realtime_kit_app.example 0123456789abcdef0123456789abcdef/0c6f5d2e-8a3b-4c1d-9e7f-2a4b6c8d0e1f
