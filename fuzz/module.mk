# libFuzzer targets (clang): `make fuzz` builds them into $(BUILD)/fuzz/,
# `make check-fuzz` runs each for FUZZ_SECONDS (default 60) from its corpus
# in tests/fuzz-corpus/<target>/ and fails on any finding.
FUZZ_CC ?= clang
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=all -Iinclude -Icore -Iproviders/common \
              -Iproviders/legacy -Iproviders/tpm
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_TARGETS := $(addprefix $(FUZZ_DIR)/,fuzz_legacy_decrypt fuzz_legacy_join fuzz_store_parsers fuzz_config fuzz_keystore_json fuzz_verify_report fuzz_verify_options fuzz_verify_activation fuzz_verify_block fuzz_verify_bundle fuzz_credential fuzz_sealed_blob fuzz_attestor_pcr fuzz_attestor_listen fuzz_attestor_audit fuzz_attestor_config)
FUZZ_LEGACY := $(addprefix providers/legacy/,legacy_scheme.c legacy_keys.c legacy_cbc.c legacy_stream.c) providers/legacy/fingerprint.c providers/legacy/arm_parts.c \
               providers/legacy/store_format.c providers/common/aead.c $(wildcard providers/common/state_*.c)

$(FUZZ_DIR)/fuzz_legacy_decrypt: fuzz/fuzz_legacy_decrypt.c $(FUZZ_LEGACY)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(CRYPTO_LIBS)
$(FUZZ_DIR)/fuzz_legacy_join: fuzz/fuzz_legacy_join.c $(FUZZ_LEGACY)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(CRYPTO_LIBS)
$(FUZZ_DIR)/fuzz_store_parsers: fuzz/fuzz_store_parsers.c providers/tpm/secret_ref.c $(FUZZ_LEGACY)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(CRYPTO_LIBS)
$(FUZZ_DIR)/fuzz_config: fuzz/fuzz_config.c $(addprefix core/,config.c config_file.c config_groups.c log.c fork_gate.c name.c host_env.c)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(LIBCONFIG_LIBS)

# The tpm provider's keystore JSON parser: json-c and tss2-mu, no TPM.
$(FUZZ_DIR)/fuzz_keystore_json: fuzz/fuzz_keystore_json.c $(addprefix providers/tpm/,keystore_json.c keystore_members.c keystore_public.c)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(call pc_cflags,json-c tss2-mu) -o $@ $^ $(call pc_libs,json-c tss2-mu)

FUZZ_VERIFY := $(wildcard verify/*.c) $(wildcard formats/*.c)
$(FUZZ_DIR)/fuzz_verify_report: fuzz/fuzz_verify_report.c $(FUZZ_VERIFY)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Iverify -Iformats $(call pc_cflags,tss2-mu json-c) -o $@ $^ \
	    $(call pc_libs,tss2-mu json-c) $(CRYPTO_LIBS)

$(FUZZ_DIR)/fuzz_verify_options: fuzz/fuzz_verify_options.c $(FUZZ_VERIFY)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Iverify -Iformats $(call pc_cflags,tss2-mu json-c) -o $@ $^ \
	    $(call pc_libs,tss2-mu json-c) $(CRYPTO_LIBS)

$(FUZZ_DIR)/fuzz_verify_activation: fuzz/fuzz_verify_activation.c $(FUZZ_VERIFY)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Iverify -Iformats $(call pc_cflags,tss2-mu json-c) -o $@ $^ \
	    $(call pc_libs,tss2-mu json-c) $(CRYPTO_LIBS)

# The per-response tpm_attestation block's parser and checks (formats/block.c).
$(FUZZ_DIR)/fuzz_verify_block: fuzz/fuzz_verify_block.c $(FUZZ_VERIFY)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Iverify -Iformats $(call pc_cflags,tss2-mu json-c) -o $@ $^ \
	    $(call pc_libs,tss2-mu json-c) $(CRYPTO_LIBS)

# The runtime attestor's bundle (formats/bundle.c, verify/verify_bundle.c).
$(FUZZ_DIR)/fuzz_verify_bundle: fuzz/fuzz_verify_bundle.c $(FUZZ_VERIFY)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Iverify -Iformats $(call pc_cflags,tss2-mu json-c) -o $@ $^ \
	    $(call pc_libs,tss2-mu json-c) $(CRYPTO_LIBS)

# The activation challenge's reader (formats/credential.c, tpm.so's input).
$(FUZZ_DIR)/fuzz_credential: fuzz/fuzz_credential.c formats/credential.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Iformats $(call pc_cflags,tss2-mu) -o $@ $^ $(call pc_libs,tss2-mu)

.PHONY: fuzz check-fuzz
fuzz: $(FUZZ_TARGETS)
check-fuzz:
	@scripts/deps.sh check
	@$(MAKE) --no-print-directory fuzz
	@fuzz/run.sh "$(FUZZ_DIR)" $(notdir $(FUZZ_TARGETS))

# The seal-to blob parser (formats/sealed_blob.c): tss2-mu and OpenSSL, no TPM.
$(FUZZ_DIR)/fuzz_sealed_blob: fuzz/fuzz_sealed_blob.c formats/sealed_blob.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Iformats $(call pc_cflags,tss2-mu) -o $@ $^ $(call pc_libs,tss2-mu) $(CRYPTO_LIBS)

# The attestor's parsers (attestor/): PCR text, the listen address, the
# audit log's lines and files, the attestor config group.
FUZZ_AT_FLAGS := -Iattestor -Iformats $(call pc_cflags,json-c)
FUZZ_AT_CONFIG := attestor/at_config.c attestor/pcr_text.c \
                  $(addprefix core/,config.c config_file.c config_groups.c log.c fork_gate.c name.c host_env.c)
$(FUZZ_DIR)/fuzz_attestor_pcr: fuzz/fuzz_attestor_pcr.c attestor/pcr_text.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_AT_FLAGS) -o $@ $^
$(FUZZ_DIR)/fuzz_attestor_listen: fuzz/fuzz_attestor_listen.c $(FUZZ_AT_CONFIG)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_AT_FLAGS) -o $@ $^ $(LIBCONFIG_LIBS)
$(FUZZ_DIR)/fuzz_attestor_config: fuzz/fuzz_attestor_config.c $(FUZZ_AT_CONFIG)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_AT_FLAGS) -o $@ $^ $(LIBCONFIG_LIBS)
$(FUZZ_DIR)/fuzz_attestor_audit: fuzz/fuzz_attestor_audit.c attestor/audit_log.c attestor/safe_file.c formats/canonical.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_AT_FLAGS) -o $@ $^ $(call pc_libs,json-c) $(CRYPTO_LIBS)
