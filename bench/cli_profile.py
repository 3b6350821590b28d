#!/usr/bin/env python3
"""Shares of a `secprov` process's CPU samples by what they were doing.

bench/cli_profile.py STACKS: STACKS is `perf script` output of a
`perf record --call-graph dwarf` run. Each sample counts once, in the first
category (in this order) one of whose functions is on its stack.
"""
import collections
import re
import sys

CATEGORIES = [
    ("OpenSSL DRBG set-up (RAND_get0_*, EVP_RAND_*)",
     {"RAND_get0_primary", "RAND_get0_public", "RAND_get0_private", "EVP_RAND_instantiate", "EVP_RAND_fetch"}),
    ("OpenSSL algorithm fetch and name map (EVP_*_fetch, OBJ_NAME_do_all)",
     {"EVP_MD_fetch", "EVP_CIPHER_fetch", "OBJ_NAME_do_all", "EVP_KEYMGMT_fetch", "EVP_KDF_fetch", "EVP_MAC_fetch"}),
    ("OpenSSL clean-up at exit (OPENSSL_cleanup)", {"OPENSSL_cleanup"}),
    ("ECDH of the salt (EC key generation, point multiplication)",
     {"EVP_PKEY_generate", "EC_POINT_mul", "EVP_PKEY_derive", "EC_KEY_generate_key"}),
    ("dlopen of tpm.so and its libraries", {"dl_open_worker_begin", "_dl_open", "dlopen_doit"}),
    ("dynamic linking before main (ld.so)", {"_dl_start", "_dl_start_final", "_dl_sysdep_start", "dl_main"}),
    ("exec and exit (kernel)", {"do_execveat_common.isra.0", "exit_mmap", "__x64_sys_exit_group"}),
    ("the config file (libconfig)", {"config_read_file", "config_read", "libconfig_yyparse"}),
]
FRAME = re.compile(r"\s*[0-9a-f]+ (\S+?)(\+0x[0-9a-f]+)? \(")

counts = collections.Counter()
total = 0
for sample in open(sys.argv[1]).read().split("\n\n"):
    names = {m.group(1) for m in map(FRAME.match, sample.split("\n")[1:]) if m}
    if not names:
        continue
    total += 1
    for name, funcs in CATEGORIES:
        if names & funcs:
            counts[name] += 1
            break
    else:
        counts["other (TPM I/O, secprov's and ESAPI's own work, malloc, unresolved)"] += 1
print(f"{total} samples")
for name, n in counts.most_common():
    print(f"{100 * n / total:5.1f}%  {name}")
