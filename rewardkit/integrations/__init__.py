"""Trainer integrations: `rewardkit.integrations.trl` (GRPOTrainer reward functions) and
`rewardkit.integrations.verl` (`compute_score`), and `rewardkit.integrations.select`
(majority vote and best-of-N for evaluation scripts). OpenRLHF needs no client code: point its
`--remote_rm_url` at the service's `/v1/compat/openrlhf`.

Each module imports only the client (httpx); none imports the trainer it serves.
"""
