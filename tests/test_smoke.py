def test_format_batch_round_trip(api):
    body = {"items": [{"id": "a", "completion": "<think>r</think> 4", "checks": {"format": {}}}]}
    r = api.post("/v1/rewards", json=body)
    assert r.status_code == 200
    assert r.json()["results"][0]["reward"] == 1.0


def test_live_server_health(live_server):
    import httpx

    assert httpx.get(live_server + "/healthz").json()["status"] == "ok"
