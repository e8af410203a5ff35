"""deploy/kubernetes: both overlays render (a Python renderer of the small kustomize subset
the files use: no kustomize binary offline), every core object validates against the
Kubernetes 1.37 schemas (kubernetes-validate, offline, strict: unknown fields fail), and the
pieces fit together: selectors, ports, settings, the KEDA triggers on the real stream and
consumer group, the worker's sandbox security context, and the network policies."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from app.broker.redis import GROUP, Keys
from app.cli import _parser
from app.config import Settings
from tests.conftest import ROOT

KUBE = ROOT / "deploy" / "kubernetes"
OVERLAYS = ("keda", "hpa")
#: What the renderer implements; a kustomization using more must fail here, not silently.
KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "resources", "images"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}
SETTING_NAMES = {f"REWARDKIT_{name.upper()}" for name in Settings.__dataclass_fields__}
#: The redis-streams scaler's metadata keys (KEDA 2.12+ docs), and the trigger types used.
KEDA_REDIS_KEYS = {
    "address",
    "host",
    "port",
    "usernameFromEnv",
    "passwordFromEnv",
    "stream",
    "consumerGroup",
    "pendingEntriesCount",
    "streamLength",
    "lagCount",
    "activationLagCount",
    "databaseIndex",
    "enableTLS",
}


def render(directory: Path) -> list[dict[str, Any]]:
    """`kustomize build directory` for the subset of kustomize these files use."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    check_fields(spec, directory)
    out: list[dict[str, Any]] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            out += render(path)
        else:
            out += [d for d in yaml.safe_load_all(path.read_text()) if d]
    for obj in out:
        if "namespace" in spec and obj["kind"] not in CLUSTER_SCOPED:
            obj["metadata"]["namespace"] = spec["namespace"]
        for image in spec.get("images", []):
            for container in containers(obj):
                if container["image"].split(":")[0] == image["name"]:
                    container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
    return out


def containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    pod = obj.get("spec", {}).get("template", {}).get("spec", {})
    return pod.get("containers", []) + pod.get("initContainers", [])


def by_kind(objs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == kind}


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return render(KUBE / request.param)


def test_every_core_object_validates_against_the_schemas(rendered) -> None:
    version = kubernetes_validate.latest_version()
    for obj in rendered:
        if obj["apiVersion"].startswith("keda.sh/"):
            continue  # a CRD: checked by test_keda_scales_on_the_real_stream
        kubernetes_validate.validate(obj, version, strict=True)


def test_the_validation_is_not_vacuous() -> None:
    worker = by_kind(render(KUBE / "keda"), "Deployment")["rewardkit-worker"]
    worker["spec"]["template"]["spec"]["containers"][0]["resources"]["requets"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(worker, kubernetes_validate.latest_version(), strict=True)
    spec = yaml.safe_load((KUBE / "keda" / "kustomization.yaml").read_text())
    with pytest.raises(ValueError, match="fields this renderer lacks"):
        check_fields({**spec, "patches": []}, KUBE / "keda")


def check_fields(spec: dict[str, Any], directory: Path) -> None:
    """Refuse a kustomization that uses more than `render` implements."""
    unknown = set(spec) - KUSTOMIZE_FIELDS
    if unknown:
        raise ValueError(f"{directory}: kustomization fields this renderer lacks: {unknown}")


def test_overlays_hold_the_base_and_one_autoscaler() -> None:
    keda, hpa = (render(KUBE / o) for o in OVERLAYS)
    kinds = lambda objs: sorted(o["kind"] for o in objs)  # noqa: E731
    assert kinds(keda).count("ScaledObject") == 1 and "HorizontalPodAutoscaler" not in kinds(keda)
    assert kinds(hpa).count("HorizontalPodAutoscaler") == 1 and "ScaledObject" not in kinds(hpa)
    for objs in (keda, hpa):
        assert {o["metadata"].get("namespace") for o in objs if o["kind"] != "Namespace"} == {
            "rewardkit"
        }
        for c in (c for o in objs for c in containers(o)):
            assert ":" in c["image"], c["image"]  # the images transformer applied


def config(objs: list[dict[str, Any]]) -> dict[str, str]:
    return by_kind(objs, "ConfigMap")["rewardkit"]["data"]


def env_of(container: dict[str, Any], objs: list[dict[str, Any]]) -> dict[str, str]:
    env = dict(config(objs)) if container.get("envFrom") else {}
    env.update({e["name"]: e.get("value", "") for e in container.get("env", [])})
    return env


def test_settings_and_commands_are_real(rendered) -> None:
    deployments = by_kind(rendered, "Deployment")
    for name in ("rewardkit-api", "rewardkit-worker"):
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        env = env_of(container, rendered)
        assert not set(env) - SETTING_NAMES, f"{name}: not settings: {set(env) - SETTING_NAMES}"
        args = _parser().parse_args(container["args"][1:])
        flags = {k: v for k, v in vars(args).items() if k in Settings.__dataclass_fields__}
        settings = Settings.load(env={k: v for k, v in env.items() if v}, **flags)
        assert settings.redis_url == "redis://redis:6379/0"
    api = deployments["rewardkit-api"]["spec"]["template"]["spec"]["containers"][0]
    assert _parser().parse_args(api["args"][1:]).workers == 0  # the API only serves HTTP


def test_selectors_services_and_probes_fit(rendered) -> None:
    for obj in [
        *by_kind(rendered, "Deployment").values(),
        *by_kind(rendered, "StatefulSet").values(),
    ]:
        selector = obj["spec"]["selector"]["matchLabels"]
        labels = obj["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), obj["metadata"]["name"]
        for c in containers(obj):
            assert c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"]
            assert "livenessProbe" in c, c["name"]
    pods = [*by_kind(rendered, "Deployment").values(), *by_kind(rendered, "StatefulSet").values()]
    for svc in by_kind(rendered, "Service").values():
        targets = [
            p
            for p in pods
            if svc["spec"]["selector"].items()
            <= p["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(targets) == 1, svc["metadata"]["name"]
        names = {p["name"] for c in containers(targets[0]) for p in c.get("ports", [])}
        assert {p["targetPort"] for p in svc["spec"]["ports"]} <= names
    api = by_kind(rendered, "Deployment")["rewardkit-api"]["spec"]["template"]["spec"]
    assert api["containers"][0]["readinessProbe"]["httpGet"]["path"] == "/healthz"


def test_keda_scales_on_the_real_stream() -> None:
    objs = render(KUBE / "keda")
    (so,) = by_kind(objs, "ScaledObject").values()
    assert so["apiVersion"] == "keda.sh/v1alpha1"
    assert so["spec"]["scaleTargetRef"]["name"] in by_kind(objs, "Deployment")
    assert so["spec"]["scaleTargetRef"]["name"] == "rewardkit-worker"
    assert 1 <= so["spec"]["minReplicaCount"] <= so["spec"]["maxReplicaCount"]
    triggers = so["spec"]["triggers"]
    assert {t["type"] for t in triggers} == {"redis-streams", "cpu"}
    stream = Keys(config(objs)["REWARDKIT_PREFIX"]).stream
    redis_svc = by_kind(objs, "Service")["redis"]
    address = f"redis.{redis_svc['metadata']['namespace']}.svc.cluster.local:{redis_svc['spec']['ports'][0]['port']}"
    redis_triggers = [t for t in triggers if t["type"] == "redis-streams"]
    assert {"lagCount", "pendingEntriesCount"} <= {k for t in redis_triggers for k in t["metadata"]}
    for t in redis_triggers:
        meta = t["metadata"]
        assert not set(meta) - KEDA_REDIS_KEYS, set(meta) - KEDA_REDIS_KEYS
        assert meta["stream"] == stream and meta["consumerGroup"] == GROUP
        assert meta["address"] == address
        assert all(isinstance(v, str) for v in meta.values())  # KEDA metadata is strings
    (cpu,) = [t for t in triggers if t["type"] == "cpu"]
    assert cpu["metricType"] == "Utilization" and 0 < int(cpu["metadata"]["value"]) <= 100
    worker = by_kind(objs, "Deployment")["rewardkit-worker"]
    assert containers(worker)[0]["resources"]["requests"]["cpu"]  # the cpu trigger needs it
    # The pending trigger's target is the chunks one worker holds at once.
    pending = next(t for t in redis_triggers if "pendingEntriesCount" in t["metadata"])
    assert (
        pending["metadata"]["pendingEntriesCount"]
        == env_of(containers(worker)[0], objs)["REWARDKIT_CONCURRENCY"]
    )


def test_worker_security_context_is_what_bubblewrap_needs_and_no_more(rendered) -> None:
    pod = by_kind(rendered, "Deployment")["rewardkit-worker"]["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    assert pod["hostUsers"] is False  # a user namespace of its own (procMount needs it)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "Unconfined"
    assert pod["securityContext"]["appArmorProfile"]["type"] == "Unconfined"
    sc = c["securityContext"]
    assert sc["procMount"] == "Unmasked"
    assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"] == {"drop": ["ALL"]} and not sc.get("privileged")
    assert pod["automountServiceAccountToken"] is False
    # Nobody else gets the relaxations.
    for name, obj in {
        **by_kind(rendered, "Deployment"),
        **by_kind(rendered, "StatefulSet"),
    }.items():
        if name == "rewardkit-worker":
            continue
        spec = obj["spec"]["template"]["spec"]
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        for other in spec["containers"]:
            assert "procMount" not in other["securityContext"], name
            assert other["securityContext"]["capabilities"] == {"drop": ["ALL"]}, name


def test_workers_reach_only_redis(rendered) -> None:
    policies = by_kind(rendered, "NetworkPolicy")
    worker = policies["rewardkit-worker"]["spec"]
    assert worker["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "rewardkit-worker"}
    assert set(worker["policyTypes"]) == {"Ingress", "Egress"} and worker["ingress"] == []
    redis_rule, dns_rule = worker["egress"]
    assert redis_rule["to"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "redis"}}}
    ]
    assert redis_rule["ports"] == [{"protocol": "TCP", "port": 6379}]
    assert {p["port"] for p in dns_rule["ports"]} == {53}  # name resolution, nothing else
    assert dns_rule["to"][0]["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}
    froms = policies["redis"]["spec"]["ingress"][0]["from"]
    names = {
        f["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for f in froms
        if "podSelector" in f
    }
    assert names == {"rewardkit-api", "rewardkit-worker"}


def test_worker_liveness_probe_reads_the_heartbeat_file(rendered, tmp_path: Path) -> None:
    (c,) = by_kind(rendered, "Deployment")["rewardkit-worker"]["spec"]["template"]["spec"][
        "containers"
    ]
    command = c["livenessProbe"]["exec"]["command"]
    assert command[:2] == ["python", "-c"]
    beat = tmp_path / "alive"
    env = {**os.environ, "REWARDKIT_HEARTBEAT_FILE": str(beat)}
    beat.touch()
    assert subprocess.run([sys.executable, "-c", command[2]], env=env).returncode == 0
    old = time.time() - 120
    os.utime(beat, (old, old))  # a worker whose event loop stopped two minutes ago
    assert subprocess.run([sys.executable, "-c", command[2]], env=env).returncode != 0
    assert env_of(c, rendered)["REWARDKIT_HEARTBEAT_FILE"].startswith("/tmp/")
