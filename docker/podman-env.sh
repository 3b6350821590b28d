# Source this: podman configured for this kind of machine (root, no Docker
# engine, no registry, cgroup v1 without systemd), with every setting in a
# private folder instead of /etc/containers:
#   podman_env DIR    writes DIR/containers.conf and DIR/storage.conf, keeps
#                     images under DIR/storage, exports CONTAINERS_CONF and
#                     CONTAINERS_STORAGE_CONF, and defines PODMAN (an array:
#                     podman with the runtime and cgroup manager set).
podman_env() {
  local dir
  dir=$(mkdir -p "$1" && cd "$1" && pwd)
  mkdir -p "$dir/storage" "$dir/run"
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
runroot = "$dir/run"
CONF
  export CONTAINERS_CONF="$dir/containers.conf"
  export CONTAINERS_STORAGE_CONF="$dir/storage.conf"
  PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
}
