"""Local stand-ins for what AWS runs: resource bootstrap and the S3 -> SQS -> Lambda relay."""
