#!/usr/bin/python3
"""Validates the scale-out deployment files with a YAML parser (no cluster, no Docker needed).

Kubernetes manifests: every document has apiVersion/kind/metadata.name and the tracing-demo
namespace; Deployment selectors match their pod labels; every Service selects an existing
Deployment's pods and targets a named container port that exists; every ConfigMap/Secret a
container refers to exists; the services' downstream URLs name existing Services and ports.
Collector configs: every receiver/processor/exporter a pipeline names is defined.
Prints one line per failed check and a closing 'N passed, N failed' line.
"""
import pathlib
import sys
import urllib.parse

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}")


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def check_collector(config, where):
    pipelines = config.get("service", {}).get("pipelines", {})
    check(bool(pipelines), f"{where}: has pipelines")
    for name, pipeline in pipelines.items():
        for section in ("receivers", "processors", "exporters"):
            defined = config.get(section, {}) or {}
            for component in pipeline.get(section, []):
                check(component in defined, f"{where}: pipeline {name} uses undefined {section[:-1]} {component}")
    tail = config.get("processors", {}).get("tail_sampling")
    check(tail is not None and tail.get("policies"), f"{where}: tail_sampling with policies")


docs = []
for path in sorted((ROOT / "deploy/kubernetes").glob("*.yaml")):
    for doc in load_all(path):
        docs.append((path.name, doc))
check(len(docs) > 0, "kubernetes manifests exist")

by_kind = {}
for name, doc in docs:
    where = f"{name}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
    check(all(k in doc for k in ("apiVersion", "kind", "metadata")), f"{where}: apiVersion, kind, metadata")
    check(bool(doc.get("metadata", {}).get("name")), f"{where}: metadata.name")
    if doc["kind"] != "Namespace":
        check(doc["metadata"].get("namespace") == "tracing-demo", f"{where}: namespace tracing-demo")
    by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc

deployments = by_kind.get("Deployment", {})
services = by_kind.get("Service", {})
config_maps = by_kind.get("ConfigMap", {})
secrets = by_kind.get("Secret", {})
for required in ("gateway", "users", "orders", "payments", "otel-collector", "jaeger-collector", "jaeger-query"):
    check(required in deployments, f"Deployment {required} exists")
    check(required in services, f"Service {required} exists")

for name, dep in deployments.items():
    spec = dep["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    selector = spec["selector"].get("matchLabels", {})
    check(selector and all(labels.get(k) == v for k, v in selector.items()), f"Deployment {name}: selector matches pod labels")
    for container in spec["template"]["spec"]["containers"]:
        check(bool(container.get("image")), f"Deployment {name}: container image")
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                check(source["configMapRef"]["name"] in config_maps, f"Deployment {name}: ConfigMap {source['configMapRef']['name']} exists")
            if "secretRef" in source:
                check(source["secretRef"]["name"] in secrets, f"Deployment {name}: Secret {source['secretRef']['name']} exists")
    for volume in spec["template"]["spec"].get("volumes", []):
        if "configMap" in volume:
            check(volume["configMap"]["name"] in config_maps, f"Deployment {name}: volume ConfigMap {volume['configMap']['name']} exists")

for name, svc in services.items():
    selector = svc["spec"]["selector"]
    targets = [d for d in deployments.values() if all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items())]
    check(len(targets) == 1, f"Service {name}: selects exactly one Deployment's pods")
    if targets:
        ports = {p.get("name") for c in targets[0]["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
        for port in svc["spec"]["ports"]:
            check(port["targetPort"] in ports, f"Service {name}: targetPort {port['targetPort']} is a container port")

service_ports = {(n, p["port"]) for n, s in services.items() for p in s["spec"]["ports"]}
config = config_maps.get("tracing-demo-config", {}).get("data", {})
for var in ("USERS_URL", "ORDERS_URL", "PAYMENTS_URL", "OTEL_EXPORTER_OTLP_ENDPOINT"):
    url = urllib.parse.urlparse(config.get(var, ""))
    check((url.hostname, url.port) in service_ports, f"{var}={config.get(var)} names an existing Service and port")

collector_cm = config_maps.get("otel-collector-config", {}).get("data", {}).get("config.yaml")
check(collector_cm is not None, "otel-collector ConfigMap has config.yaml")
if collector_cm:
    check_collector(yaml.safe_load(collector_cm), "kubernetes otel-collector")
check_collector(load_all(ROOT / "deploy/scale-out/otel-collector.yaml")[0], "scale-out otel-collector.yaml")

compose = load_all(ROOT / "deploy/scale-out/docker-compose.yml")[0]
for svc in ("lb", "gateway", "users", "orders", "payments", "otel-collector", "jaeger-collector", "jaeger-query", "postgres", "redis"):
    check(svc in compose["services"], f"scale-out compose has {svc}")
for svc in ("gateway", "users", "orders", "payments"):
    env = compose["services"][svc]["environment"]
    check(env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").startswith("http://otel-collector:"), f"scale-out {svc} exports to the collector")
    check(compose["services"][svc].get("deploy", {}).get("replicas", 1) > 1, f"scale-out {svc} has several replicas")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
