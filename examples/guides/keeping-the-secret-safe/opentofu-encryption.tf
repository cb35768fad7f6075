# OpenTofu 1.8 and later: the state and plan files are encrypted with a key
# derived from a passphrase that never sits in the configuration. Set it with
# TF_VAR_state_passphrase (at least 16 characters) from your CI's secret store.
variable "state_passphrase" {
  type      = string
  sensitive = true
}

terraform {
  encryption {
    key_provider "pbkdf2" "state" {
      passphrase = var.state_passphrase
    }

    method "aes_gcm" "state" {
      keys = key_provider.pbkdf2.state
    }

    state {
      method   = method.aes_gcm.state
      enforced = true
    }

    plan {
      method   = method.aes_gcm.state
      enforced = true
    }
  }
}
