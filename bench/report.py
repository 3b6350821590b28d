#!/usr/bin/env python3
"""bench/report.py OUT DEST: the raw files bench/run.sh wrote in OUT become one
table (stdout), DEST/results.json and DEST/latency.png (gnuplot)."""
import collections
import json
import os
import re
import statistics
import subprocess
import sys

from tpm_model import W, WORK, cmd_cost   # bench/tpm_model.py

out, dest = sys.argv[1], sys.argv[2]

def command_names():
    """TPM2_CC_* from tpm2-tss's own header: code (8 hex digits) -> name."""
    names = {}
    try:
        with open("/usr/include/tss2/tss2_tpm2_types.h") as f:
            for m in re.finditer(r"#define TPM2_CC_(\w+)\s+\(\(TPM2_CC\)\s*0x([0-9a-fA-F]+)\)", f.read()):
                if m.group(1) not in ("FIRST", "LAST"):
                    names.setdefault(m.group(2).upper().rjust(8, "0"), m.group(1))
    except OSError:
        pass
    return names


CODES = command_names()
LABEL = {
    "secprov": "secprov API (open handle), no resource manager",
    "secprov-rm": "secprov API (open handle), tpm.resource_manager = yes",
    "secprov-rm-nofsync": "secprov API, resource manager, fsync() a no-op (diagnosis)",
    "loader1-rmno": "loader start-up: open + unseal 1 + exit, no resource manager",
    "loader10-rmno": "loader start-up: open + unseal 10 + exit, no resource manager",
    "loader1-rmyes": "loader start-up: open + unseal 1 + exit, resource manager",
    "loader10-rmyes": "loader start-up: open + unseal 10 + exit, resource manager",
    "loader1-rmno-lean": "loader start-up, OpenSSL without legacy names: unseal 1, no RM",
    "loader10-rmno-lean": "loader start-up, OpenSSL without legacy names: unseal 10, no RM",
    "floor": "floor: ESAPI Create+Load+Unseal+Flush",
    "secprov-nofsync": "secprov API, fsync() a no-op (diagnosis)",
    "floor-nofsync": "floor, fsync() a no-op (diagnosis)",
    "fapi": "stock FAPI, default profile",
    "cli": "secprov seal+unseal (processes)",
    "creds": "systemd-creds encrypt+decrypt (processes, PCR 7)",
}


def read_pairs(name):
    d = collections.defaultdict(list)
    with open(os.path.join(out, name)) as f:
        for line in f:
            p = line.split()
            if len(p) >= 2:
                d[p[0]].append(float(p[1]) / 1000.0)   # ms
    return d


def pct(v, q):
    s = sorted(v)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def summary(v):
    return {"n": len(v), "median_ms": round(statistics.median(v), 2),
            "p99_ms": round(pct(v, 0.99), 2), "min_ms": round(min(v), 2),
            "max_ms": round(max(v), 2)}


res = {"env": dict(l.rstrip("\n").split(": ", 1) for l in open(os.path.join(out, "env.txt")))}
print("machine: " + "; ".join(f"{k} {v}" for k, v in res["env"].items()))
rows = []


def row(what, s, ref=None, ratio=None, note=""):
    rows.append((what, f"{s['median_ms']:.2f}", f"{s['p99_ms']:.2f}",
                 "" if ratio is None else f"{ratio:.2f}x {ref}", note))


def compare(name, section, ref, order, ratio_key, ref_label, label):
    """The legs in raw file name, summarised into res[section], each with its
    ratio to leg ref's median, and a table row; returns the raw latencies."""
    data = read_pairs(name)
    res[section] = {k: summary(v) for k, v in data.items()}
    base = res[section][ref]["median_ms"]
    for k in order:
        s = res[section][k]
        s[ratio_key] = round(s["median_ms"] / base, 2)
        row(label(k), s, ref_label, s[ratio_key])
    return data


# 1. round-trips
rt = compare("rt.txt", "roundtrip_32B", "floor", ("floor", "secprov", "secprov-rm", "fapi"),
             "ratio_to_floor", "floor", LABEL.get)
compare("rt_nofsync.txt", "roundtrip_32B_fsync_disabled", "floor-nofsync",
        ("floor-nofsync", "secprov-nofsync", "secprov-rm-nofsync"), "ratio_to_floor", "floor",
        LABEL.get)
loader = read_pairs("loader.txt")
res["loader_startup"] = {k: summary(v) for k, v in loader.items()}
for k in ("loader1-rmno", "loader10-rmno", "loader1-rmyes", "loader10-rmyes"):
    row(LABEL[k], res["loader_startup"][k])
for k in ("loader1-rmno-lean", "loader10-rmno-lean"):   # bench/loader --no-legacy-names
    if k in res["loader_startup"]:
        base = res["loader_startup"][k[:-len("-lean")]]["median_ms"]
        res["loader_startup"][k]["ratio_to_default"] = round(res["loader_startup"][k]["median_ms"] / base, 2)
        row(LABEL[k], res["loader_startup"][k], "the default", res["loader_startup"][k]["ratio_to_default"])
if os.path.exists(os.path.join(out, "python.txt")):     # bench/python_loader.py
    py = read_pairs("python.txt")
    res["loader_startup_python"] = {k: summary(v) for k, v in py.items()}
    for k, v in res["loader_startup_python"].items():
        row(f"python: {k}", v)
proc = compare("proc.txt", "roundtrip_processes", "creds", ("creds", "cli"),
               "ratio_to_systemd_creds", "systemd-creds", LABEL.get)

# 2. command counts
k = int(open(os.path.join(out, "commands.k")).read())
counts = collections.defaultdict(collections.Counter)
for line in open(os.path.join(out, "commands.txt")):
    leg, code = line.split()
    counts[leg][CODES.get(code.upper(), "0x" + code)] += 1
res["tpm_commands_per_roundtrip"] = {}
cmd_rows = []
CMD_LEGS = ("floor", "secprov", "secprov-rm", "fapi", "cli", "creds", "loader1-rmno",
            "loader10-rmno", "loader1-rmyes", "loader10-rmyes")
for leg in CMD_LEGS:
    c = {n: round(v / k, 2) for n, v in sorted(counts[leg].items(), key=lambda x: -x[1])}
    total = round(sum(counts[leg].values()) / k, 2)
    res["tpm_commands_per_roundtrip"][leg] = {"total": total, "by_command": c,
                                              "CreatePrimary": c.get("CreatePrimary", 0)}
    cmd_rows.append((LABEL[leg], total, c.get("CreatePrimary", 0),
                     ", ".join(f"{n} {v:g}" for n, v in c.items())))

# 3. open
opens = read_pairs("open.txt")
res["secprov_open"] = {m: summary(v) for m, v in opens.items()}
with open(os.path.join(out, "open.txt")) as f:
    chosen = collections.defaultdict(set)
    for line in f:
        p = line.split()
        chosen[p[0]].add(p[2])
for m, s in res["secprov_open"].items():
    s["provider"] = sorted(chosen[m])
GOAL_OPEN = {"tpm": 10, "legacy": 2, "fallback-unreachable": 100, "fallback-wedged": 100}
for m in ("tpm", "tpm-again", "legacy", "legacy-again", "legacy-collect",
          "legacy-collect-again", "fallback-unreachable", "fallback-unreachable-again",
          "fallback-wedged"):
    if m in res["secprov_open"]:
        s = res["secprov_open"][m]
        goal = GOAL_OPEN.get(m)
        row(f"secprov_open: {m.replace('-again', ' (again, same process)')} -> "
            f"{'/'.join(s['provider'])}", s,
            note="" if goal is None else f"goal < {goal} ms: " +
            ("met" if s["median_ms"] < goal else "MISSED"))

# 4. 1 MiB
compare("big.txt", "roundtrip_1MiB", "legacy-1m", ("legacy-1m", "tpm-1m"), "ratio_to_legacy",
        "legacy", lambda k: f"1 MiB seal+unseal, {k.replace('-1m', '')}")

# 5. stream
gib = float(open(os.path.join(out, "stream.gib")).read())
st = collections.defaultdict(list)
for line in open(os.path.join(out, "stream.txt")):
    who, sec, rss = line.split()
    st[who].append((float(sec), int(rss)))
res["legacy_stream_decrypt"] = {}
for who, v in st.items():
    med = statistics.median(s for s, _ in v)
    res["legacy_stream_decrypt"][who] = {
        "runs_s": [s for s, _ in v], "median_s": med,
        "MiB_per_s": round(gib * 1024 / med, 1), "peak_rss_MiB": round(max(r for _, r in v) / 1024, 1)}
ratio = round(res["legacy_stream_decrypt"]["secprov"]["MiB_per_s"] /
              res["legacy_stream_decrypt"]["openssl"]["MiB_per_s"], 2)
res["legacy_stream_decrypt"]["throughput_ratio_to_openssl"] = ratio

# 6. many processes
p = open(os.path.join(out, "mp.txt")).read().split()
mp = dict(zip(p[0::2], (int(x) for x in p[1::2])))
mp["roundtrips_per_s"] = round(mp["completed"] / (mp["wall_us"] / 1e6), 1)
mp["failures"] = mp["processes"] * mp["per_process"] - mp["completed"] + mp["failed_processes"]
res["many_processes_no_rm"] = mp

# modeled device latency: each leg's command mix times a per-command cost
# (docs/performance.md explains every figure; wolfTPM README, commit 68deab3).
res["modeled_ms"] = {"source": "wolfSSL/wolfTPM README.md @68deab3 (Orin: Jetson Linux R36.4.4, "
                               "MAXN_SUPER; SLB9672 at 43 MHz); per-command work: estimates",
                     "per_command": {n: {dev: round(cmd_cost(dev, n), 3) for dev in W} for n in WORK},
                     "legs": {}}
for leg in CMD_LEGS:
    mix = res["tpm_commands_per_roundtrip"][leg]["by_command"]
    res["modeled_ms"]["legs"][leg] = {dev: round(sum(v * cmd_cost(dev, n) for n, v in mix.items()), 2)
                                      for dev in W}
    res["modeled_ms"]["legs"][leg]["StartAuthSession"] = mix.get("StartAuthSession", 0)
ML = res["modeled_ms"]["legs"]


def salted(dev, mix, salt):
    """A command mix's modeled ms with its sessions salted by ECDH with the SRK
    (ecc) or to the RSA salt key (rsa: the RSA-2048 private operation instead
    of the ECDH, and a Load and FlushContext of the key per salt)."""
    n = mix.get("StartAuthSession", 0)
    t = sum(v * cmd_cost(dev, c) for c, v in mix.items())
    if salt == "rsa":
        t += n * (W[dev]["rsa_priv"] - W[dev]["ecdh"] + cmd_cost(dev, "Load") +
                  cmd_cost(dev, "FlushContext"))
    return round(t, 2)


# issue 24: the loader's start-up in Python, secprov vs tpm2-pytss FAPI
# (twin TPMs, alternating), their command counts, tpm.so's dlopen
if os.path.exists(os.path.join(out, "startup.txt")):
    su = read_pairs("startup.txt")
    res["python_loader_startup"] = {k: summary(v) for k, v in su.items()}
    sc = collections.defaultdict(collections.Counter)
    for line in open(os.path.join(out, "startup_cmds.txt")):
        leg, code = line.split()
        sc[leg][CODES.get(code.upper(), "0x" + code)] += 1
    for leg, c in sc.items():
        mix = {n: round(v / k, 2) for n, v in c.items()}
        res["python_loader_startup"][leg]["tpm_commands"] = {"total": round(sum(c.values()) / k, 2),
                                                             "by_command": mix}
        res["python_loader_startup"][leg]["modeled_ms"] = {
            f"{dev}_{salt}": salted(dev, mix, salt) for dev in W for salt in ("ecc", "rsa")}
    base = res["python_loader_startup"]["startup-pytss"]["median_ms"]
    for leg in ("startup-pytss", "startup-secprov"):
        r = res["python_loader_startup"][leg]
        r["ratio_to_pytss"] = round(r["median_ms"] / base, 2)
        row(f"loader start-up (Python, 32 B): {'tpm2-pytss FAPI' if leg.endswith('pytss') else 'secprov'}",
            r, "tpm2-pytss", r["ratio_to_pytss"])
if os.path.exists(os.path.join(out, "so_load.txt")):
    res["tpm_so_load"] = dict(x.split("=") for x in open(os.path.join(out, "so_load.txt")).read().split()[2:])
res["modeled_salt_ms"] = {leg: {f"{dev}_{salt}": salted(dev, res["tpm_commands_per_roundtrip"][leg]["by_command"], salt)
                                for dev in W for salt in ("ecc", "rsa")}
                          for leg in ("cli", "loader1-rmno", "loader1-rmyes", "loader10-rmno")}

# goals
sec = res["roundtrip_32B"]["secprov"]
nf = res["roundtrip_32B_fsync_disabled"]
TC = res["tpm_commands_per_roundtrip"]
res["goals"] = {
    "steady round-trip: 0 StartAuthSession": [TC["secprov"]["by_command"].get("StartAuthSession", 0),
                                               TC["secprov"]["by_command"].get("StartAuthSession", 0) == 0],
    "<= 4 commands, session kept loaded": [TC["secprov-rm"]["total"], TC["secprov-rm"]["total"] <= 4],
    "<= 8 commands, ContextSave/ContextLoad": [TC["secprov"]["total"], TC["secprov"]["total"] <= 8],
    "no-fsync round-trip <= 1.1x floor (no resource manager)": [
        nf["secprov-nofsync"]["ratio_to_floor"], nf["secprov-nofsync"]["ratio_to_floor"] <= 1.1],
    "no-fsync round-trip <= 1.1x floor (resource manager)": [
        nf["secprov-rm-nofsync"]["ratio_to_floor"], nf["secprov-rm-nofsync"]["ratio_to_floor"] <= 1.1],
    "modeled Orin round-trip <= 1.1x modeled floor (no resource manager)": [
        round(ML["secprov"]["orin"] / ML["floor"]["orin"], 2), ML["secprov"]["orin"] <= 1.1 * ML["floor"]["orin"]],
    "modeled Orin round-trip <= 1.1x modeled floor (resource manager)": [
        round(ML["secprov-rm"]["orin"] / ML["floor"]["orin"], 2), ML["secprov-rm"]["orin"] <= 1.1 * ML["floor"]["orin"]],
    "modeled Orin seal+unseal <= 50 ms": [ML["secprov"]["orin"], ML["secprov"]["orin"] <= 50],
    "processes >= 1.5x faster than systemd-creds (measured)": [
        round(1 / res["roundtrip_processes"]["cli"]["ratio_to_systemd_creds"], 2),
        res["roundtrip_processes"]["cli"]["ratio_to_systemd_creds"] <= 1 / 1.5],
    "processes >= 1.5x faster than systemd-creds (modeled Orin)": [
        round(ML["creds"]["orin"] / ML["cli"]["orin"], 2), ML["creds"]["orin"] >= 1.5 * ML["cli"]["orin"]],
    "loader start-up <= 1 ECDH (no resource manager)": [ML["loader1-rmno"]["StartAuthSession"],
                                                         ML["loader1-rmno"]["StartAuthSession"] <= 1],
    "loader start-up <= 8 commands (no resource manager)": [TC["loader1-rmno"]["total"],
                                                             TC["loader1-rmno"]["total"] <= 8],
    "loader start-up <= 8 commands (resource manager)": [TC["loader1-rmyes"]["total"],
                                                          TC["loader1-rmyes"]["total"] <= 8],
    "no CreatePrimary in steady state": [res["tpm_commands_per_roundtrip"]["secprov"]["CreatePrimary"],
                                         res["tpm_commands_per_roundtrip"]["secprov"]["CreatePrimary"] == 0],
    "secprov processes faster than systemd-creds": [
        res["roundtrip_processes"]["cli"]["ratio_to_systemd_creds"],
        res["roundtrip_processes"]["cli"]["ratio_to_systemd_creds"] < 1],
    "open tpm < 10 ms": [res["secprov_open"]["tpm"]["median_ms"], res["secprov_open"]["tpm"]["median_ms"] < 10],
    "open legacy < 2 ms": [res["secprov_open"]["legacy"]["median_ms"], res["secprov_open"]["legacy"]["median_ms"] < 2],
    "fallback (unreachable) < 100 ms": [res["secprov_open"]["fallback-unreachable"]["median_ms"],
                                        res["secprov_open"]["fallback-unreachable"]["median_ms"] < 100],
    "fallback (wedged) < 100 ms": [res["secprov_open"]["fallback-wedged"]["median_ms"],
                                   res["secprov_open"]["fallback-wedged"]["median_ms"] < 100],
    "stream >= 0.9x openssl": [ratio, ratio >= 0.9],
    "stream peak < 16 MiB": [res["legacy_stream_decrypt"]["secprov"]["peak_rss_MiB"],
                             res["legacy_stream_decrypt"]["secprov"]["peak_rss_MiB"] < 16],
    "8 processes: 0 failures": [mp["failures"], mp["failures"] == 0],
    "CLI seal+unseal <= 0.67x systemd-creds (measured)": [
        res["roundtrip_processes"]["cli"]["ratio_to_systemd_creds"],
        res["roundtrip_processes"]["cli"]["ratio_to_systemd_creds"] <= 0.67],
}
if "python_loader_startup" in res:
    r = res["python_loader_startup"]["startup-secprov"]["ratio_to_pytss"]
    res["goals"]["Python loader start-up <= 0.5x tpm2-pytss FAPI (measured)"] = [r, r <= 0.5]

with open(os.path.join(dest, "results.json"), "w") as f:
    json.dump(res, f, indent=2)
    f.write("\n")

# the table
w = max(len(r[0]) for r in rows)
print(f"{'latency (ms)':<{w}}  {'median':>8}  {'p99':>8}  ratio")
for r in rows:
    print(f"{r[0]:<{w}}  {r[1]:>8}  {r[2]:>8}  {r[3]}{'  ' + r[4] if r[4] else ''}")
print()
print("TPM commands per seal+unseal round-trip (steady state):")
for r in cmd_rows:
    print(f"  {r[0]:<{w}}  {r[1]:>5g} commands, {r[2]:g} CreatePrimary: {r[3]}")
print()
print("modeled device latency per leg (ms; command mix above x per-command cost below):")
print(f"  {'leg':<{w}}  {'Orin fTPM':>9}  {'SLB9672':>9}  measured swtpm")
MEAS = {"floor": res["roundtrip_32B"]["floor"], "secprov": res["roundtrip_32B"]["secprov"],
        "secprov-rm": res["roundtrip_32B"]["secprov-rm"], "fapi": res["roundtrip_32B"]["fapi"],
        "cli": res["roundtrip_processes"]["cli"], "creds": res["roundtrip_processes"]["creds"]}
MEAS.update(res["loader_startup"])
for leg in CMD_LEGS:
    m = MEAS.get(leg)
    print(f"  {LABEL[leg]:<{w}}  {ML[leg]['orin']:>9.2f}  {ML[leg]['slb9672']:>9.2f}  "
          f"{'' if m is None else format(m['median_ms'], '.2f')}")
print("modeled Orin fTPM / SLB9672 by tpm.salt_key (ms; rsa: RSA-2048 private op + Load + FlushContext per salt):")
print(f"  {'leg':<{w}}  {'Orin ecc':>9}  {'Orin rsa':>9}  {'SLB ecc':>9}  {'SLB rsa':>9}")
salt_legs = [(LABEL[l], res["modeled_salt_ms"][l]) for l in res["modeled_salt_ms"]]
salt_legs += [(f"python loader start-up: {l[8:]}", v["modeled_ms"])
              for l, v in res.get("python_loader_startup", {}).items() if "modeled_ms" in v]
for name, m in salt_legs:
    print(f"  {name:<{w}}  {m['orin_ecc']:>9.2f}  {m['orin_rsa']:>9.2f}  {m['slb9672_ecc']:>9.2f}  {m['slb9672_rsa']:>9.2f}")
if "python_loader_startup" in res:
    print("python loader start-up, TPM commands per process: " + "; ".join(
        f"{l[8:]} {v['tpm_commands']['total']:g} ({', '.join(f'{n} {c:g}' for n, c in v['tpm_commands']['by_command'].items())})"
        for l, v in res["python_loader_startup"].items() if "tpm_commands" in v))
if "tpm_so_load" in res:
    t = res["tpm_so_load"]
    print(f"tpm.so dlopen: median {int(t['median_us']) / 1000:.2f} ms, min {int(t['min_us']) / 1000:.2f} ms, "
          f"{t['libs']} libraries mapped with it")
print("per-command cost (ms): " + ", ".join(
    f"{n} {c['orin']:g}/{c['slb9672']:g}" for n, c in res["modeled_ms"]["per_command"].items()))
print()
s, o = res["legacy_stream_decrypt"]["secprov"], res["legacy_stream_decrypt"]["openssl"]
print(f"legacy stream decrypt of {gib:g} GiB: secprov {s['MiB_per_s']} MiB/s (peak {s['peak_rss_MiB']} MiB), "
      f"openssl enc -d {o['MiB_per_s']} MiB/s (peak {o['peak_rss_MiB']} MiB): {ratio}x openssl")
print(f"8 processes x {mp['per_process']} round-trips, one TPM, no resource manager: "
      f"{mp['roundtrips_per_s']} round-trips/s, {mp['failures']} failures")
print()
print("goals:")
for g, (v, ok) in res["goals"].items():
    print(f"  {'met   ' if ok else 'MISSED'} {g}: {v}")

# latency.png: the distribution (CDF) of each TPM round-trip leg
data = os.path.join(out, "cdf.dat")
legs = [("rt", "floor"), ("rt", "secprov"), ("rt", "secprov-rm"), ("rt", "fapi"), ("proc", "cli"),
        ("proc", "creds")]
with open(data, "w") as f:
    for src, leg in legs:
        v = sorted((rt if src == "rt" else proc)[leg])
        for i, x in enumerate(v):
            f.write(f"{x:.3f} {(i + 1) / len(v):.4f}\n")
        f.write("\n\n")
plot = "; ".join(f"'{data}' index {i} with lines lw 2 title '{LABEL[leg]}'"
                 for i, (_, leg) in enumerate(legs)).replace("; ", ", ")
script = f"""set terminal pngcairo size 1000,600 noenhanced
set output '{os.path.join(dest, 'latency.png')}'
set title 'TPM seal+unseal round-trip of 32 bytes, swtpm behind a pty device ({res['env']['date']})'
set xlabel 'latency (ms, log scale)'
set ylabel 'fraction of round-trips at or below'
set logscale x
set xrange [4:*]
set grid
set key top left
plot {plot}
"""
try:
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
except (OSError, subprocess.CalledProcessError) as e:
    print(f"bench: latency.png not drawn: {e}", file=sys.stderr)
