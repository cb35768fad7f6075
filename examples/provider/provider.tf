terraform {
  required_providers {
    cloudflare = {
      source = "calls-terraform/cloudflare"
    }
  }
}

# With no arguments the provider reads CLOUDFLARE_API_TOKEN (or the legacy
# CLOUDFLARE_API_KEY with CLOUDFLARE_EMAIL) and CLOUDFLARE_BASE_URL.
provider "cloudflare" {}
