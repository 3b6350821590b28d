#!/usr/bin/python3
"""Bounded mutation of the tpm provider's state files (tests/tpm/test_mutation.sh).

keystore_mutate.py DRIVER STATE_DIR BUDGET_S NAME=VALUE...

Drives one tests/tpm/fault_driver process (restarted whenever it dies) with
the config in $SECPROV_CONFIG. For each kind of state file it makes a fixed,
seeded sample of mutations: at the value of every JSON member (and for
"objectType" the values 0, 2, 5, 6, 7, 99 ...), at sampled byte positions
of every file, a byte replaced (structural characters, digits, hex, NUL,
0xff), deleted, inserted, bit-flipped, or the file truncated there. After
each mutation it unseals (re-opening first when the file is read at open or
once per context) and checks the answer: an error status in ALLOWED, or OK
with exactly the right value; never a signal, a dead driver or garbage.
The original file is put back after each mutation. Prints one line per
kind, each failure, and a total; exits 1 on any failure.
"""
import os
import random
import re
import subprocess
import sys
import time

ALLOWED = {"INTEGRITY", "FORMAT", "KEYSTORE_MISMATCH"}
BYTES = [0x00, 0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x30, 0x31, 0x32, 0x39, 0x61,
         0x66, 0x67, 0x5a, 0x2d, 0x2e, 0x20, 0x0a, 0x5c, 0xff, 0x80]


class Driver:
    def __init__(self, path):
        self.path = path
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([self.path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def ask(self, line):
        """One answer line without the milliseconds, or None if the driver died."""
        if self.proc is None:
            self.start()
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
            ans = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            ans = ""
        if not ans:
            return None
        f = ans.rstrip("\n").split(" ", 3)
        return [f[0], f[1]] + f[3:]

    def death(self):
        """The driver's exit status after it died (negative: a signal)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        rc = self.proc.wait(timeout=20)
        self.proc = None
        return rc


def json_value_spans(text):
    """(key, start, end) of each member's scalar value in FAPI's JSON."""
    spans = []
    for m in re.finditer(rb'"([A-Za-z_]+)":\s*("(?:[^"\\]|\\.)*"|-?[0-9]+)', text):
        spans.append((m.group(1).decode(), m.start(2), m.end(2)))
    return spans


def mutations(data, rng, n_random, is_json):
    """A list of (description, mutated bytes)."""
    out = []
    L = len(data)

    def at(pos, kind, val=None):
        if kind == "set":
            return data[:pos] + bytes([val]) + data[pos + 1:], "byte %d = 0x%02x" % (pos, val)
        if kind == "del":
            return data[:pos] + data[pos + 1:], "byte %d deleted" % pos
        if kind == "ins":
            return data[:pos] + bytes([val]) + data[pos:], "0x%02x inserted at %d" % (val, pos)
        if kind == "flip":
            return data[:pos] + bytes([data[pos] ^ (1 << val)]) + data[pos + 1:], \
                "byte %d bit %d flipped" % (pos, val)
        return data[:pos], "truncated to %d bytes" % pos

    positions = set()
    if is_json:
        for key, s, e in json_value_spans(data):
            raw = data[s:e]
            if key == "objectType":
                for v in [b"0", b"2", b"5", b"6", b"7", b"42", b"99", b"-1", b"1.0", b'"1"',
                          b"4294967297", b"null", b"[]"]:
                    out.append(("objectType = %s" % v.decode(), data[:s] + v + data[e:]))
            elif raw.startswith(b'"'):
                for a, b in ((b'"YES"', b'"NO"'), (b'"NO"', b'"YES"')):
                    if raw == a:
                        out.append((key + " = " + b.decode(), data[:s] + b + data[e:]))
                out.append((key + " emptied", data[:s] + b'""' + data[e:]))
                out.append((key + " = number", data[:s] + b"7" + data[e:]))
                out.append((key + " = object", data[:s] + b"{}" + data[e:]))
            else:
                out.append((key + " = string", data[:s] + b'"' + raw + b'"' + data[e:]))
                out.append((key + " + 1", data[:s] + str(int(raw) + 1).encode() + data[e:]))
                out.append((key + " = -1", data[:s] + b"-1" + data[e:]))
                out.append((key + " = 2^64", data[:s] + b"18446744073709551616" + data[e:]))
            positions.update({s, s + 1, (s + e) // 2, e - 1, e})
    positions.update(rng.sample(range(L), min(n_random, L)))
    for pos in sorted(p for p in positions if 0 <= p < L):
        kinds = [("set", rng.choice(BYTES)), ("set", rng.choice(BYTES)), ("del", None),
                 ("ins", rng.choice(BYTES)), ("flip", rng.randrange(8)), ("trunc", None)]
        for kind, val in rng.sample(kinds, 2):
            m, desc = at(pos, kind, val)
            if m != data:
                out.append((desc, m))
    return out


def main():
    driver_path, state, budget = sys.argv[1], sys.argv[2], float(sys.argv[3])
    secrets = dict(a.split("=", 1) for a in sys.argv[4:])
    user = os.path.join(state, "keystore/user/P_ECCP256SHA256_secprov/HS/SRK")

    def ref_gen(name):   # the generation part of the object's folder name (docs/tpm-store.md)
        with open(os.path.join(state, "secrets", name + ".ref"), "rb") as f:
            img = f.read()
        return ("g" if img[4] == 2 else "") + img[8:16].hex()

    direct, env = [n for n in secrets if len(secrets[n]) <= 128], \
        [n for n in secrets if len(secrets[n]) > 128]
    d, e = direct[0], env[0]
    # (kind, file, secret to unseal, re-open before each unseal, random
    # positions, at most this many mutations: a seeded sample of them)
    kinds = [
        ("sealed object (direct)", os.path.join(user, "sp-%s-%s/object.json" % (d, ref_gen(d))), d, False, 80, 400),
        ("sealed object (envelope key)", os.path.join(user, "sp-%s-%s/object.json" % (e, ref_gen(e))), e, False, 60, 300),
        ("SRK entry (keystore/system)", os.path.join(state, "keystore/system/P_ECCP256SHA256_secprov/HS/SRK/object.json"), d, True, 40, 300),
        ("hierarchy entry (system HS)", os.path.join(state, "keystore/system/P_ECCP256SHA256_secprov/HS/object.json"), d, True, 20, 60),
        ("EK entry (system HE/EK)", os.path.join(state, "keystore/system/P_ECCP256SHA256_secprov/HE/EK/object.json"), d, True, 10, 60),
        ("reference (direct)", os.path.join(state, "secrets", d + ".ref"), d, False, 16, 100),
        ("reference (envelope)", os.path.join(state, "secrets", e + ".ref"), e, False, 60, 120),
        ("fapi-config.json", os.path.join(state, "fapi-config.json"), d, True, 12, 80),
        ("profile", os.path.join(state, "profiles/P_ECCP256SHA256_secprov.json"), d, True, 12, 80),
        ("provisioned marker", os.path.join(state, "provisioned"), d, True, 2, 10),
    ]
    rng = random.Random(12)
    drv = Driver(driver_path)
    assert drv.ask("open")[1] == "OK"
    failures, total, t0 = 0, 0, time.monotonic()
    plan = []
    for kind, path, name, reopen, n_random, most in kinds:
        with open(path, "rb") as f:
            orig = f.read()
        muts = mutations(orig, rng, n_random, path.endswith(".json"))
        if len(muts) > most:   # the member values first, then a sample of the rest
            named = [m for m in muts if not m[0].startswith(("byte", "0x", "trunc"))]
            rest = [m for m in muts if m not in named]
            muts = named[:most] + rng.sample(rest, max(0, most - len(named)))
        plan.append((kind, path, name, reopen, orig, muts))
    # Each kind gets a share of the budget by its number of mutations (a
    # re-opening one counted 3 times), so a slow build (ASan) still samples
    # every kind; what a share leaves unused passes on to the next kinds.
    weight = lambda k: len(k[5]) * (3 if k[3] else 1)
    left_weight = sum(weight(k) for k in plan)
    for k in plan:
        kind, path, name, reopen, orig, muts = k
        counts = {}
        t_kind = time.monotonic()
        share = (budget - (t_kind - t0)) * weight(k) / left_weight
        left_weight -= weight(k)
        for i, (desc, data) in enumerate(muts):
            if time.monotonic() - t_kind > share:
                print("%s: its share of the time budget (%.0f s) is used up: %d of %d "
                      "mutations skipped" % (kind, share, len(muts) - i, len(muts)))
                break
            mode = os.stat(path).st_mode & 0o777
            tmp = path + ".mut"
            with open(tmp, "wb") as f:
                f.write(data)
            os.chmod(tmp, mode)
            os.rename(tmp, path)
            if reopen:
                drv.ask("close")
                opened = drv.ask("open")
            ans = opened if reopen and opened is not None and opened[1] != "OK" else drv.ask("unseal " + name)
            with open(tmp, "wb") as f:
                f.write(orig)
            os.chmod(tmp, mode)
            os.rename(tmp, path)
            total += 1
            if ans is None:
                rc = drv.death()
                verdict = "driver died (exit %d%s)" % (rc, ", a signal" if rc < 0 else "")
                drv.ask("open")
            elif ans[1] == "OK" and ans[0] == "unseal":
                verdict = None if len(ans) > 2 and ans[2] == secrets[name] else "garbage: " + " ".join(ans[2:])[:60]
            elif ans[1] in ALLOWED:
                verdict = None
            else:
                verdict = "status %s %s" % (ans[0], ans[1])
            st = ans[1] if ans is not None else "DIED"
            counts[st] = counts.get(st, 0) + 1
            if verdict is not None:
                failures += 1
                print("FAIL %s, %s: %s" % (kind, desc, verdict))
                if ans is not None and ans[1] not in ALLOWED:   # fresh contexts after an odd error
                    drv.ask("close")
                    drv.ask("open")
        print("%-30s %4d mutations: %s" % (kind, sum(counts.values()),
              ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    drv.ask("close")
    for name, value in secrets.items():
        drv.ask("open")
        ans = drv.ask("unseal " + name)
        if ans is None or ans[1] != "OK" or ans[2] != value:
            failures += 1
            print("FAIL after the run, restored files: unseal %s: %s" % (name, ans))
        drv.ask("close")
    print("%d mutations in %.1f s, %d failure(s)" % (total, time.monotonic() - t0, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
