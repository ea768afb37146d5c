#!/usr/bin/env python3
"""Asks a running Prometheus whether every scrape target is up and whether every query
of the Grafana dashboard returns at least one series. Used by scripts/failover (and so
by CI) against the loopback cluster.

Usage: monitoring-check.py PROMETHEUS_URL DASHBOARD_JSON [WAIT_SECONDS]
"""
import json
import sys
import time
import urllib.parse
import urllib.request


def get(base, path, **params):
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)["data"]


def main():
    base, dashboard = sys.argv[1], sys.argv[2]
    wait = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    deadline = time.time() + wait
    while True:
        targets = get(base, "/api/v1/targets")["activeTargets"]
        down = [t for t in targets if t["health"] != "up"]
        if targets and not down:
            break
        if time.time() > deadline:
            for t in down:
                print(f"DOWN {t['labels']['job']} {t['scrapeUrl']}: {t.get('lastError')}")
            sys.exit(1)
        time.sleep(1)
    by_job = {}
    for t in targets:
        by_job.setdefault(t["labels"]["job"], []).append(t["labels"]["instance"])
    for job, instances in sorted(by_job.items()):
        print(f"up   {job:8} {', '.join(sorted(instances))}")

    failed = 0
    panels = json.load(open(dashboard))["panels"]
    for panel in panels:
        for target in panel["targets"]:
            result = get(base, "/api/v1/query", query=target["expr"])["result"]
            mark = "ok  " if result else "NONE"
            failed += not result
            print(f"{mark} {len(result):3} series  {panel['title']} [{target['refId']}]")
    print(f"{len(targets)} targets up; {sum(len(p['targets']) for p in panels) - failed} of "
          f"{sum(len(p['targets']) for p in panels)} dashboard queries return data")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
