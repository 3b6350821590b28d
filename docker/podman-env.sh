# Source this: podman configured for this kind of machine (root, no Docker
# engine, no registry, cgroup v1 without systemd), with every setting in a
# private folder instead of /etc/containers:
#   podman_env DIR    writes DIR/containers.conf and DIR/storage.conf, keeps
#                     images under DIR/storage, exports CONTAINERS_CONF and
#                     CONTAINERS_STORAGE_CONF, and defines PODMAN (an array:
#                     podman with the runtime and cgroup manager set).
# The run root (podman's runtime state) is not under DIR but at a short path
# named by DIR's hash, /run/secprov-podman/HASH: podman 4.3 refuses a run
# root longer than 50 characters when it is given as --runroot, as conmon
# gives it to `podman container cleanup` when a container exits. A longer one
# (CI's /tmp/secprov-alone.XXXXXX/secprov-VERSION/build/docker/podman/run)
# made that clean-up fail and every `podman run` wait out conmon's 20 s
# timer. /run is cleared at boot, as a run root should be.
podman_env() {
  local dir runroot
  dir=$(mkdir -p "$1" && cd "$1" && pwd)
  runroot=/run/secprov-podman/$(printf %s "$dir" | sha256sum | cut -c1-16)
  if [ -d "$dir/run" ]; then   # a store made with the old run root, DIR/run:
    # its database names that run root; drop the database (containers and
    # volumes, all made and removed by the tests), keep the images
    rm -rf "$dir/run" "$dir/storage/libpod/bolt_state.db"
  fi
  mkdir -p "$dir/storage" "$runroot"
  cat > "$dir/containers.conf" <<CONF
[containers]
# The host's hard limits may be lower than podman's defaults: keep the host's.
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  cat > "$dir/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$dir/storage"
runroot = "$runroot"
CONF
  export CONTAINERS_CONF="$dir/containers.conf"
  export CONTAINERS_STORAGE_CONF="$dir/storage.conf"
  PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
}
