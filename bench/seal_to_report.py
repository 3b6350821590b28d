#!/usr/bin/env python3
"""bench/seal_to_report.py OUT: the raw files bench/seal_to.sh wrote in OUT
(seal_to.txt: "LEG MICROSECONDS"; seal_to_commands.txt: "LEG CODE") become
one table (stdout) and OUT/seal_to.json: per leg the measured median and p90,
the TPM commands and their modeled latency on the Orin fTPM and the SLB9672
(bench/tpm_model.py; docs/performance.md, section 5)."""
import collections
import json
import os
import statistics
import sys

from tpm_model import W, cmd_cost

out = sys.argv[1]
NAMES = {"0000017B": "GetRandom", "00000173": "ReadPublic", "00000176": "StartAuthSession",
         "00000153": "Create", "00000157": "Load", "0000015E": "Unseal", "00000165": "FlushContext",
         "00000162": "ContextSave", "00000161": "ContextLoad", "00000131": "CreatePrimary",
         "00000156": "Import"}
LABEL = {
    "server-32B": "server: secprov seal-to, 32 B (whole process, no TPM)",
    "server-1MiB": "server: secprov seal-to, 1 MiB envelope (whole process, no TPM)",
    "server-lib-32B": "server: secprov.verify.seal_to, 32 B (in process)",
    "import-32B": "device: secprov import, 32 B (whole process)",
    "import-1MiB": "device: secprov import, 1 MiB envelope (whole process)",
    "first-unseal-after-import": "device: the first secprov unseal after the import",
    "unseal-local": "device: secprov unseal of a locally sealed name",
    "unwrap-32B": "device: secprov unwrap, 32 B (whole process)",
}
times = collections.defaultdict(list)
for line in open(os.path.join(out, "seal_to.txt")):
    leg, v = line.split()
    times[leg].append(int(v) / 1000.0)
mix = collections.defaultdict(collections.Counter)
for line in open(os.path.join(out, "seal_to_commands.txt")):
    leg, code = line.split()
    mix[leg][NAMES.get(code.upper(), "0x" + code)] += 1

res = {"env": open(os.path.join(out, "seal_to_env.txt")).read().splitlines(),
       "modeled_source": "wolfSSL/wolfTPM README.md @68deab3 (Orin: Jetson Linux R36.4.4, MAXN_SUPER; "
                         "SLB9672 at 43 MHz); per-command work: estimates (bench/tpm_model.py)",
       "legs": {}}
print("seal-to legs (ms; measured on this machine against swtpm, modeled from the command mix):")
print("  %-66s %8s %8s %4s %9s %9s  %s" % ("leg", "median", "p90", "n", "Orin fTPM", "SLB9672", "TPM commands"))
for leg in LABEL:
    v = sorted(times.get(leg, []))
    if not v:
        continue
    r = {"label": LABEL[leg], "n": len(v), "median_ms": round(statistics.median(v), 2),
         "p90_ms": round(v[max(0, int(len(v) * 0.9) - 1)], 2)}
    if leg in mix:
        r["commands"] = dict(sorted(mix[leg].items()))
        r["modeled_ms"] = {dev: round(sum(k * cmd_cost(dev, c) for c, k in mix[leg].items()), 1) for dev in W}
    res["legs"][leg] = r
    m = r.get("modeled_ms", {})
    print("  %-66s %8.2f %8.2f %4d %9s %9s  %s" % (
        LABEL[leg], r["median_ms"], r["p90_ms"], r["n"], m.get("orin", "-"), m.get("slb9672", "-"),
        ", ".join("%s %d" % kv for kv in r.get("commands", {}).items()) or "none (no TPM)"))
with open(os.path.join(out, "seal_to.json"), "w") as f:
    json.dump(res, f, indent=1)
    f.write("\n")
