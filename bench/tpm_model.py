"""bench/tpm_model.py: the modeled device latency of a TPM command
(docs/performance.md, section 5): a per-command cost for two real TPMs,
from the figures published in the wolfSSL/wolfTPM README (commit 68deab3)
and estimates of each command's work. bench/report.py and
bench/seal_to_report.py use it."""

W = {   # published: wolfSSL/wolfTPM README.md, "Run on the NVIDIA Jetson Orin" / "SLB9672 at 43MHz"
    "orin": {"ecdh": 89.632, "ecc_keygen": 120.163, "rsa_priv": 11.900, "rng_Bps": 562.277e3, "aes_Bps": 2.752e6,
             "sha_Bps": 1.572e6},
    "slb9672": {"ecdh": 65.948, "ecc_keygen": 135.956, "rsa_priv": 76.996, "rng_Bps": 22.429e3, "aes_Bps": 85.890e3,
                "sha_Bps": 84.717e3},
}
# estimates: (rng bytes, AES bytes, SHA bytes, asymmetric op) of each command's work
WORK = {
    "GetRandom": (8, 0, 0, None), "ReadPublic": (0, 0, 128, None),
    "StartAuthSession": (32, 0, 128, "ecdh"), "Create": (64, 256, 512, None),
    "Load": (0, 256, 512, None), "Unseal": (0, 128, 256, None),
    "ContextSave": (0, 256, 256, None), "ContextLoad": (0, 256, 256, None),
    "FlushContext": (0, 0, 0, None), "CreatePrimary": (32, 0, 256, "ecc_keygen"),
    "Startup": (0, 0, 0, None), "GetCapability": (0, 0, 0, None), "ReadClock": (0, 0, 0, None),
    "PCR_Read": (0, 0, 0, None), "PolicyPCR": (0, 0, 128, None),
    "PolicyGetDigest": (0, 0, 0, None),
    # TPM2_Import of a duplicate (docs/seal-to.md): one ECC point
    # multiplication with the SRK's key (the seed; modeled as the published
    # ECDHE-256 agree, which also generates a key: an upper bound), the
    # outer wrap decrypted and the new private area encrypted (AES), KDFe,
    # 2 KDFa, the outer HMAC, the new integrity HMAC, names, session HMACs.
    "Import": (0, 320, 768, "ecdh"),
}


def cmd_cost(dev, name):
    """ms for one command: the fixed cost of a command (one 32-byte GetRandom:
    wolfTPM's RNG figure is 32-byte GetRandom commands) plus its work."""
    d = W[dev]
    base = 32 / d["rng_Bps"] * 1e3
    rng, aes, sha, asym = WORK.get(name, (0, 0, 0, None))
    return base + (rng / d["rng_Bps"] + aes / d["aes_Bps"] + sha / d["sha_Bps"]) * 1e3 + \
        (d[asym] if asym else 0.0)
