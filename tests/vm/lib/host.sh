# Host-side helpers shared by tests/vm/build-assets, tests/vm/run and friends.
# Sourced (bash), never executed.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_TOP=$(cd "$VM_DIR/../.." && pwd)
VM_CACHE=${MEMCTL_VM_CACHE:-/var/cache/memctl-vm}

# The lab's kernels, by the short names used everywhere (runner, meson, fixtures).
VM_KERNELS="6.1 6.12 7.3"

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Wall-clock seconds since the epoch, with fraction, for timing reports.
now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Content hash of the arguments (strings), used as cache keys.
hash_of() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# A full build-assets check costs 10-30 s (apt-cache over the trixie lists,
# dpkg-query, hashing) and takes the cache's lock, so two runs in parallel
# wait for each other. build-assets records in $VM_CACHE/assets.checked the
# stamp below and the time of its last full check; tests/vm/run skips the
# check when the stamp still matches and the check is less than
# ASSETS_CHECK_MAX_AGE seconds old (the vm suite's first test, vm-assets,
# makes the full check). The stamp covers the lab's own sources, the host's
# dpkg state and apt lists (their mtimes: any install or list refresh means
# a full check) and assets.env.
ASSETS_CHECK_MAX_AGE=14400
assets_stamp() {
    {
        cat "$VM_DIR/build-assets" "$VM_DIR/lib/host.sh" "$VM_DIR/lib/debian13.sh" \
            "$VM_DIR/guest/init" "$REPO_TOP/debian/control" 2>&1
        stat -c '%n %Y' /var/lib/dpkg/status /var/lib/apt/lists "$VM_CACHE/apt-trixie/lists" \
            "$VM_CACHE/apt-backports/lists" "$VM_CACHE/assets.env" 2>&1
    } | sha256sum | cut -c1-16
}
# Did build-assets check everything recently, for these sources, and is all
# that assets.env names still there?
assets_checked_recently() {
    local stamp t f
    read -r stamp t < "$VM_CACHE/assets.checked" 2>/dev/null || return 1
    [ "$stamp" = "$(assets_stamp)" ] || return 1
    [ $(( $(date +%s) - ${t:-0} )) -lt "$ASSETS_CHECK_MAX_AGE" ] || return 1
    for f in $(sed -n 's/^VM_[A-Z0-9_]*=\(\/.*\)/\1/p' "$VM_CACHE/assets.env"); do
        [ -e "$f" ] || return 1
    done
}

pkg_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# apt-get (as root), waiting for the dpkg lock instead of failing when another apt runs.
apt_get() {
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=900 "$@"
}

# Install the host packages that are missing. On a fresh machine the package
# lists may be absent or stale, so refresh them once before installing.
ensure_host_packages() {
    local missing=() p
    for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing host packages: ${missing[*]}"
    apt_get update >&2
    apt_get install -y --no-install-recommends "${missing[@]}" >&2
}

# The Debian archive URI this machine's apt already uses for bookworm. Derived
# at run time (never hard-coded) because CI machines use their own mirror.
debian_mirror() {
    local uri
    uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 2>/dev/null |
          awk '$2 == "bookworm" { print $1; exit }')
    [ -n "$uri" ] || die "no 'bookworm' source in this machine's apt configuration"
    printf '%s\n' "${uri%/}"
}

# Newest available version string of a package (apt candidate), or empty.
apt_candidate() {
    apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2; exit }'
}

# Copy a program into a guest root directory, plus (for a dynamic ELF) every
# shared library ldd resolves, at the same absolute path. /lib/... is stored as
# /usr/lib/... because the guests are usr-merged and a cpio appended to an
# initramfs must not try to replace the /lib symlink with a directory.
copy_elf_closure() { # SRC DESTROOT DESTPATH
    local src=$1 root=$2 dest=$3 lib
    install -D -m 755 "$src" "$root$dest"
    file_is_dynamic_elf "$src" || return 0
    ldd "$src" | awk '/=> \// { print $3 } /^[ \t]*\// { print $1 }' | while read -r lib; do
        case $lib in /lib/*) dest=/usr$lib ;; *) dest=$lib ;; esac
        [ -e "$root$dest" ] || install -D -m 755 "$lib" "$root$dest"
    done
    ldd "$src" | grep -q 'not found' && die "$src: unresolved shared libraries: $(ldd "$src" | grep 'not found')"
    return 0
}

file_is_dynamic_elf() {
    [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] && ldd "$1" >/dev/null 2>&1
}
