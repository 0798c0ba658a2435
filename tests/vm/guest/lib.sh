# Guest-side helpers for tests/vm/scenarios/* (POSIX sh; busybox ash in the
# initramfs guest, dash in the systemd guest). Source with: . /lab/lib.sh
#
# Environment set by the lab: LAB_KERNEL (6.1|6.12|7.3), LAB_MEMORY (hmem, cxl,
# pmem, none, or a '+' list such as hmem+cxl), LAB_GUEST (initramfs|systemd),
# LAB_SCENARIO, LAB_OUT (directory the host reads after the run).

SYS_MEM=/sys/devices/system/memory
CXL_DEVS=/sys/bus/cxl/devices
DAX_DEVS=/sys/bus/dax/devices

lab_log() { echo "LAB: $*"; }
lab_die() { echo "LAB: FAIL: $*" >&2; exit 1; }

# Print a command, run it, and fail the scenario if it fails.
lab_run() {
    echo "LAB: \$ $*"
    "$@" || lab_die "'$*' exited $?"
}

# Poll until "test CONDITION..." holds, for at most SECONDS (tenths of a second steps).
lab_wait_for() { # SECONDS TEST-ARGS...
    _t=$(($1 * 10)); shift
    while ! test "$@"; do
        [ "$_t" -le 0 ] && return 1
        sleep 0.1; _t=$((_t - 1))
    done
}

lab_modprobe() {
    for _m in "$@"; do modprobe "$_m" || lab_die "modprobe $_m failed"; done
}

# Wait until COUNT dax devices exist (default 1) and print their names.
lab_wait_dax() { # [COUNT] [SECONDS]
    _n=${1:-1}; _t=$((${2:-30} * 10))
    while [ "$(ls "$DAX_DEVS" 2>/dev/null | grep -c '^dax')" -lt "$_n" ]; do
        [ "$_t" -le 0 ] && lab_die "timed out waiting for $_n dax device(s)"
        sleep 0.1; _t=$((_t - 1))
    done
    ls "$DAX_DEVS" | grep '^dax'
}

# Soft-reserved memory: the hmem platform device appears at boot; dax_hmem
# turns it into a dax device (udev loads these in the systemd guest).
lab_setup_hmem() {
    lab_modprobe device_dax kmem dax_hmem
}

# Legacy pmem (memmap=nn!ss): nd_e820 gives a pmem region with a raw
# namespace; turn it into a devdax namespace. This is what
# `ndctl create-namespace -f -e namespace0.0 -m devdax` does (same size,
# map=dev, 2 MiB align), done through sysfs so that the dax info block gets a
# fixed uuid instead of a random one: captured fixtures stay identical.
# The memmap= range is fresh RAM at every boot, so there is no old info block.
LAB_PMEM_DAX_UUID=6d656d63-746c-4c61-8270-6d656d303030
lab_make_pmem_devdax() {
    lab_modprobe nd_e820 nd_pmem dax_pmem device_dax kmem
    _nd=/sys/bus/nd/devices
    lab_wait_for 30 -e "$_nd/namespace0.0" || lab_die "no namespace0.0"
    [ "$(cat "$_nd/namespace0.0/mode")" = devdax ] && return 0
    _seed=$(cat "$_nd/region0/dax_seed")
    lab_log "namespace0.0 -> devdax through $_seed (uuid $LAB_PMEM_DAX_UUID)"
    lab_write namespace0.0 /sys/bus/nd/drivers/nd_pmem/unbind
    lab_write "$LAB_PMEM_DAX_UUID" "$_nd/$_seed/uuid"
    lab_write pmem "$_nd/$_seed/mode"
    lab_write 2097152 "$_nd/$_seed/align"
    lab_write namespace0.0 "$_nd/$_seed/namespace"
    lab_write "$_seed" /sys/bus/nd/drivers/dax_pmem/bind
}

# CXL type-3 volatile memory: create, commit and bind a RAM region through raw
# sysfs (ndctl 76's "cxl create-region -t ram" does not work with these kernels).
lab_create_cxl_ram_region() {
    lab_modprobe cxl_acpi cxl_pci cxl_port cxl_mem dax_cxl device_dax kmem
    lab_wait_for 30 -e "$CXL_DEVS/mem0" || lab_die "no CXL memdev"
    # The endpoint port (and its decoder) appears once cxl_mem has probed mem0.
    _i=300
    while ! ls "$CXL_DEVS" | grep -q '^endpoint'; do
        [ $_i -le 0 ] && lab_die "no CXL endpoint port"; sleep 0.1; _i=$((_i - 1))
    done
    _ep=$(ls "$CXL_DEVS" | grep '^endpoint' | head -n1)
    _epd=decoder${_ep#endpoint}.0
    lab_wait_for 10 -e "$CXL_DEVS/$_epd" || lab_die "no endpoint decoder $_epd"
    _root=
    for _d in "$CXL_DEVS"/decoder0.*; do
        [ "$(cat "$_d/cap_ram" 2>/dev/null)" = 1 ] && { _root=${_d##*/}; break; }
    done
    [ -n "$_root" ] || lab_die "no root decoder with cap_ram"
    _size=$(cat "$CXL_DEVS/mem0/ram/size")
    [ "$((_size))" -gt 0 ] || lab_die "mem0 has no volatile capacity"
    _region=$(cat "$CXL_DEVS/$_root/create_ram_region")
    lab_log "creating $_region: $_root -> $_epd ($_size bytes)"
    lab_write "$_region" "$CXL_DEVS/$_root/create_ram_region"
    lab_write 256 "$CXL_DEVS/$_region/interleave_granularity"
    lab_write 1 "$CXL_DEVS/$_region/interleave_ways"
    lab_write "$_size" "$CXL_DEVS/$_region/size"
    lab_write ram "$CXL_DEVS/$_epd/mode"
    lab_write "$_size" "$CXL_DEVS/$_epd/dpa_size"
    lab_write "$_epd" "$CXL_DEVS/$_region/target0"
    lab_write 1 "$CXL_DEVS/$_region/commit"
    lab_write "$_region" /sys/bus/cxl/drivers/cxl_region/bind
}

lab_write() { # VALUE FILE
    echo "$1" > "$2" || lab_die "cannot write '$1' to $2"
}

# Bring up every memory type of LAB_MEMORY and print the resulting dax
# device names (one per line).
lab_setup_memory() {
    _want=0
    for _kind in $(echo "$LAB_MEMORY" | tr '+' ' '); do
        case $_kind in
            hmem) lab_setup_hmem >&2 ;;
            pmem) lab_make_pmem_devdax >&2 ;;
            cxl) lab_create_cxl_ram_region >&2 ;;
            none|virtio-mem) continue ;;	# virtio-mem: the scenario loads the driver
            *) lab_die "unknown memory kind $_kind" ;;
        esac
        _want=$((_want + 1))
    done
    [ "$_want" -gt 0 ] && lab_wait_dax "$_want"
    return 0
}

# Memory blocks (memoryN) backing a dax device.
lab_dax_blocks() { # DEV
    _res=$(cat "$DAX_DEVS/$1/resource"); _len=$(cat "$DAX_DEVS/$1/size")
    _bs=$((0x$(cat "$SYS_MEM/block_size_bytes")))
    _first=$(( (_res + _bs - 1) / _bs )); _last=$(( (_res + _len) / _bs - 1 ))
    seq "$_first" "$_last" | sed 's/^/memory/'
}

# Write the memory picture seen by memctl and by the reference tools into DIR.
lab_collect() { # DIR
    mkdir -p "$1"
    memctl status --json > "$1/memctl-status.json" || lab_die "memctl status --json failed"
    memctl blocks --json > "$1/memctl-blocks.json" || lab_die "memctl blocks --json failed"
    memctl status > "$1/memctl-status.txt" 2>&1 || true
    daxctl list -M -D > "$1/daxctl.json" || lab_die "daxctl list failed"
    daxctl list -R -D -M > "$1/daxctl-regions.json" || true
    lsmem -J -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES > "$1/lsmem.json" || lab_die "lsmem failed"
    lsmem -J -a -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES > "$1/lsmem-all.json" || true
    cat /proc/iomem > "$1/iomem.txt"
    for e in /sys/firmware/memmap/*; do
        [ -d "$e" ] && echo "$(cat "$e/start") $(cat "$e/end") $(cat "$e/type")"
    done > "$1/firmware-memmap.txt" 2>/dev/null || true
    cat "$SYS_MEM/auto_online_blocks" > "$1/auto_online_blocks"
    lab_log "collected $(basename "$1")"
}

# Copy every sysfs/procfs entry memctl reads into DIR (MEMCTL_SYSFS_RECORD).
lab_record_sysfs() { # DIR
    mkdir -p "$1"
    MEMCTL_SYSFS_RECORD=$1 memctl status --json > /dev/null || lab_die "recording memctl status failed"
    MEMCTL_SYSFS_RECORD=$1 memctl blocks --json > /dev/null || lab_die "recording memctl blocks failed"
}

# ---- benchmarks (scripts/bench) ----

lab_ns() { date +%s%N; }

# CPU ticks (user + system) a process has used so far.
lab_cpu_ticks() { # PID
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# Wait until the guest is quiet before a timed run: udev has handled every
# uevent and memctld has used no CPU for half a second (its settle timer and
# any reconcile it caused are over). The TCG guest runs both vCPUs on one host
# thread, so background work would otherwise be timed along with the next run.
lab_quiesce() {
    udevadm settle --timeout=60 || lab_log "udevadm settle timed out"
    _pid=$(systemctl show -P MainPID memctld.service 2>/dev/null || echo 0)
    [ "${_pid:-0}" != 0 ] || return 0
    _i=0
    while [ $_i -lt 120 ]; do
        _a=$(lab_cpu_ticks "$_pid"); sleep 0.5; _b=$(lab_cpu_ticks "$_pid")
        [ "$_a" = "$_b" ] && return 0
        _i=$((_i + 1))
    done
    lab_log "memctld did not go quiet within 60 s"
}
