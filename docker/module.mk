# Container image and its test.
#   make check-docker    as root, with podman (no Docker engine, no registry):
#                        installs podman/runc/debootstrap (scripts/deps.sh
#                        docker), builds the debian base images by debootstrap,
#                        the secprov image from docker/Dockerfile, and runs
#                        tests/docker/test_docker.sh against it.
# Images, podman's storage and the debootstrap tarball are kept in
# $(BUILD)/docker (rm -rf it to start from nothing).
.PHONY: check-docker check-docker-run

check-docker:
	@scripts/deps.sh docker
	@$(MAKE) --no-print-directory check-docker-run

check-docker-run: $(TESTDIR_B)/tools/ptytpm
	@mkdir -p $(BUILD)/docker
	@t0=$$(date +%s); tests/run_tests.sh "$(BUILD)" tests/docker/test_docker.sh; rc=$$?; \
	cat $(BUILD)/docker/figures.txt 2>/dev/null; \
	echo "check-docker: total $$(( $$(date +%s) - t0 )) s"; exit $$rc

# The same image built for arm64 (the Jetson) under qemu-user, and run: not
# in CI (emulated apt-get and compiler take minutes); as root.
.PHONY: check-docker-arm64
check-docker-arm64: $(TESTDIR_B)/tools/ptytpm
	@scripts/deps.sh docker
	@mkdir -p $(BUILD)/docker-arm64
	@t0=$$(date +%s); tests/run_tests.sh "$(BUILD)" tests/docker/test_docker_arm64.sh; rc=$$?; \
	echo "check-docker-arm64: total $$(( $$(date +%s) - t0 )) s"; exit $$rc

# Debian 13 (trixie): the whole project built (gcc 14, -Werror) and
# `make check-run` run in a container, against OpenSSL 3.5 (ML-DSA-65 built
# and tested) and tpm2-tss 4.x. As root, with podman (docker/check-trixie.sh).
.PHONY: check-trixie
check-trixie:
	@scripts/deps.sh docker
	@docker/check-trixie.sh "$(BUILD)"
