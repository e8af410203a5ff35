"""rewardkit's trainer-side client: score completions through a rewardkit service.

    from rewardkit import RewardClient
    client = RewardClient("http://127.0.0.1:8000")
    results = client.score_sync([{"completion": "... \\boxed{2}", "checks": {"math": {"gold": "2"}}}])
    results[0].reward, results[0].scores, results[0].details

Needs only httpx; the trainer integrations live in `rewardkit.integrations` (`trl`, `verl`).
"""

from rewardkit.client import RewardClient
from rewardkit.jobs import Pending
from rewardkit.types import Item, Result

__all__ = ["Item", "Pending", "Result", "RewardClient"]
__version__ = "0.1.0"
