# Terraform: keep the state in a backend that encrypts it at rest and lets
# only the pipeline read it, never in a repository or on a laptop.
terraform {
  backend "s3" {
    bucket     = "example-terraform-state"
    key        = "calls/terraform.tfstate"
    region     = "eu-west-1"
    encrypt    = true
    kms_key_id = "alias/terraform-state"
  }
}
