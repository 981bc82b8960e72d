#!/usr/bin/env python3
"""Summarise bench/runtime.sh: medians per phase, berth ratios, peak RSS.

   report.py WORKDIR crun,runc,berth
"""
import json
import os
import re
import sys

PHASES = ["run", "create", "start", "delete"]
GOAL_RUN_VS_CRUN = 0.7   # the target: berth run <= 0.7x crun


def medians(work, phase):
    path = os.path.join(work, phase + ".json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        data = json.load(f)
    return {r["parameters"]["rt"]: r["median"] for r in data["results"]}


def peak_rss_kib(work, rt):
    try:
        with open(os.path.join(work, "rss-%s.txt" % rt)) as f:
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
        return int(m.group(1)) if m else None
    except OSError:
        return None


def ratio(a, b):
    return "%.2fx" % (a / b) if a is not None and b else "n/a"


def main():
    work, rts = sys.argv[1], sys.argv[2].split(",")
    cols = rts + [c for c in ("berth/crun", "berth/runc")
                  if "berth" in rts and c.split("/")[1] in rts]
    print()
    print("median wall time, ms (hyperfine)")
    print("%-8s" % "phase" + "".join("%12s" % c for c in cols))
    run = {}
    for phase in PHASES:
        m = medians(work, phase)
        run[phase] = m
        row = ["%.2f" % (m[rt] * 1000) if rt in m else "n/a" for rt in rts]
        for c in cols[len(rts):]:
            row.append(ratio(m.get("berth"), m.get(c.split("/")[1])))
        print("%-8s" % phase + "".join("%12s" % x for x in row))
    rss = [peak_rss_kib(work, rt) for rt in rts]
    print("%-8s" % "rss KiB" + "".join("%12s" % (x if x else "n/a") for x in rss)
          + "".join("%12s" % ratio(rss[rts.index("berth")], rss[rts.index(c.split("/")[1])])
                    for c in cols[len(rts):]))
    print("(rss: peak resident set of a `create`, /usr/bin/time -v)")
    b, c = run["run"].get("berth"), run["run"].get("crun")
    if b and c:
        verdict = "MET" if b / c <= GOAL_RUN_VS_CRUN else "NOT MET"
        print("goal berth run <= %.1fx crun: %s (%.2fx)" % (GOAL_RUN_VS_CRUN, verdict, b / c))


if __name__ == "__main__":
    main()
