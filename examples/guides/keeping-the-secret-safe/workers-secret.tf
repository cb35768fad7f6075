terraform {
  required_providers {
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "~> 5.22"
    }
    calls = {
      source  = "calls-terraform/cloudflare"
      version = "~> 0.1"
    }
  }
}

provider "cloudflare" {}
provider "calls" {}

variable "account_id" {
  type = string
}

resource "cloudflare_calls_app" "media" {
  provider   = calls
  account_id = var.account_id
  name       = "media"
}

# The Worker that talks to the Calls API gets the app's id as plain text and
# its secret as a secret binding: the secret goes from state to the Worker
# without being printed, and a replaced app's new secret reaches the Worker
# in the same apply.
resource "cloudflare_workers_script" "signalling" {
  account_id  = var.account_id
  script_name = "signalling"
  content     = "export default { async fetch(request, env) { return new Response(env.CALLS_APP_ID) } }"
  main_module = "worker.js"

  bindings = [
    {
      type = "plain_text"
      name = "CALLS_APP_ID"
      text = cloudflare_calls_app.media.uid
    },
    {
      type = "secret_text"
      name = "CALLS_APP_SECRET"
      text = cloudflare_calls_app.media.secret
    },
  ]
}
