# An existing app is imported by "<account_id>/<app_id>". The API never returns
# an app's secret after it is created, so an imported app has a null secret.
terraform import cloudflare_calls_app.example 0123456789abcdef0123456789abcdef/526b63e68bd43e8eb162f00ca9c6db73
