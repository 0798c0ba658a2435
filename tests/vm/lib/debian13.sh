# Debian 13 (trixie) parts of tests/vm/build-assets. Sourced by it (bash),
# never executed; uses its helpers (note, die, new_build_dir, commit_dir,
# configure_rootfs, build_initramfs, trixie_apt_cache, hash_of) and $VM_CACHE.
#
#   - rootfs13: a debootstrapped trixie systemd image with Debian's own kernels
#     installed AS PACKAGES (initramfs-tools made /boot/initrd.img-*): trixie's
#     linux-image-amd64 (6.12) and the newest linux-image-7.* from
#     trixie-backports. Next to the image, per kernel, the vmlinuz and the
#     module tree of those very packages, so that the lab initramfs that boots
#     the image (tests/vm/run --distro 13) matches its /usr/lib/modules.
#   - initramfs13-*: the lab initramfs (guest/init) for each of those kernels.
#   - buildroot13: a trixie chroot with debian/control's Build-Depends, lintian
#     and dpkg-dev, for building the package for Debian 13 (scripts/build-deb --chroot).
# Host-side apt runs against build-assets' private trixie configuration
# ($VM_CACHE/apt-trixie); the host's apt sources and lists are never touched.

# Packages of the Debian 13 image on top of minbase: as the Debian 12 one,
# with trixie's library names, plus what a stock boot needs (initramfs-tools;
# the kernels come separately, see build_rootfs13). trixie has no libconfig9:
# memctl for this image is always built in the trixie build root.
ROOTFS13_PACKAGES="systemd,systemd-sysv,udev,dbus,kmod,daxctl,ndctl,util-linux,procps,
initramfs-tools,zstd,libjson-c5,libconfig11,libdaxctl1,libndctl6,libcxl1,libudev1,libsystemd0"

# Version of a package in the private trixie lists (newest of any suite).
trixie_version() { trixie_apt_cache show "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n1; }

# The newest 7.x kernel image package of trixie-backports (e.g. linux-image-7.3.4+deb13-amd64).
trixie_kernel7_package() {
    trixie_apt_cache search --names-only '^linux-image-7\.[0-9]+\.[0-9]+\+deb13-amd64$' |
        awk '{ print $1 }' | sort -V | tail -n1
}

# Run a command in TREE with /proc, /sys and /dev mounted, in a private mount
# namespace (nothing stays mounted when it ends), services kept from starting.
in_tree() { # TREE CMD...
    local t=$1; shift
    unshare -m --propagation private sh -c '
        t=$1; shift
        mount -t proc proc "$t/proc" && mount -t sysfs sysfs "$t/sys" && mount --rbind /dev "$t/dev" || exit 1
        exec chroot "$t" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
            DEBIAN_FRONTEND=noninteractive "$@"' sh "$t" "$@"
}

# Guest apt sources of a trixie tree (the guest's own configuration).
write_trixie_sources() { # TREE MIRROR
    rm -f "$1/etc/apt/sources.list"
    cat > "$1/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $2
Suites: trixie trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

build_rootfs13() { # MIRROR OUT_DIR KERNEL7_PACKAGE
    local mirror=$1 dir=$2 k7=$3 tmp tree kver size
    tmp=$(new_build_dir "$dir"); tree=$tmp/tree
    debootstrap --variant=minbase --include="${ROOTFS13_PACKAGES//[$'\n ']/}" \
        trixie "$tree" "$mirror" > "$tmp/debootstrap.log" 2>&1 ||
        { tail -n 30 "$tmp/debootstrap.log" >&2; die "debootstrap trixie failed"; }
    configure_rootfs "$tree"
    write_trixie_sources "$tree" "$mirror"
    # No swap to resume from; no daemons started by maintainer scripts.
    echo RESUME=none > "$tree/etc/initramfs-tools/conf.d/resume"
    printf '#!/bin/sh\nexit 101\n' > "$tree/usr/sbin/policy-rc.d"; chmod 755 "$tree/usr/sbin/policy-rc.d"
    # The kernels as an administrator installs them: apt, with initramfs-tools
    # making /boot/initrd.img-* in the postinst hooks.
    # The 7.x one from trixie-backports, as its users install it (-t: it
    # pre-depends on backports' newer linux-base).
    in_tree "$tree" apt-get -q update > "$tmp/kernels.log" 2>&1 &&
    in_tree "$tree" apt-get -q install -y --no-install-recommends linux-image-amd64 >> "$tmp/kernels.log" 2>&1 &&
    in_tree "$tree" apt-get -q install -y --no-install-recommends -t trixie-backports "$k7" >> "$tmp/kernels.log" 2>&1 ||
        { tail -n 30 "$tmp/kernels.log" >&2; die "installing the kernels in the Debian 13 image failed"; }
    rm -f "$tree/usr/sbin/policy-rc.d"
    for kver in $(ls "$tree/usr/lib/modules"); do
        [ -f "$tree/boot/vmlinuz-$kver" ] && [ -f "$tree/boot/initrd.img-$kver" ] ||
            die "Debian 13 image: no /boot/vmlinuz or initrd.img for $kver"
        # The kernel as the packages installed it, for its lab initramfs
        # (whose module closure is then not part of this component's key).
        mkdir -p "$tmp/kernel-$kver/tree/boot" "$tmp/kernel-$kver/tree/lib/modules"
        cp "$tree/boot/vmlinuz-$kver" "$tmp/kernel-$kver/tree/boot/"
        cp -a "$tree/usr/lib/modules/$kver" "$tmp/kernel-$kver/tree/lib/modules/"
    done
    in_tree "$tree" apt-get clean
    rm -rf "$tree"/var/lib/apt/lists/*
    size=$(du -sm "$tree" | cut -f1); size=$(( size + size / 2 + 256 ))
    truncate -s "${size}M" "$tmp/rootfs.img"
    mkfs.ext4 -q -F -L memctl-vm -d "$tree" "$tmp/rootfs.img"
    rm -rf "$tree"
    commit_dir "$dir"; BUILT=1
}

# The trixie build root: buildd-style chroot with the package's Build-Depends
# (from debian/control, build profiles stripped: the tests' ones too, so that
# the unit tests can run at package build time when asked) and lintian.
debian13_build_depends() {
    sed -n '/^Build-Depends:/,/^[A-Z]/p' "$REPO_TOP/debian/control" | sed '1s/^Build-Depends://; $d' |
        tr ',' '\n' | sed 's/<[^>]*>//g; s/([^)]*)//g; s/^[[:space:]]*//; s/[[:space:]]*$//' | grep -v '^$' | sort -u
}

build_buildroot13() { # MIRROR OUT_DIR
    local mirror=$1 dir=$2 tmp tree deps
    tmp=$(new_build_dir "$dir"); tree=$tmp/tree
    deps=$(debian13_build_depends | tr '\n' ' ')
    debootstrap --variant=buildd trixie "$tree" "$mirror" > "$tmp/debootstrap.log" 2>&1 ||
        { tail -n 30 "$tmp/debootstrap.log" >&2; die "debootstrap trixie (build root) failed"; }
    write_trixie_sources "$tree" "$mirror"
    # shellcheck disable=SC2086
    { in_tree "$tree" apt-get -q update && in_tree "$tree" apt-get -q install -y --no-install-recommends \
        $deps lintian dpkg-dev fakeroot git; } > "$tmp/apt.log" 2>&1 ||
        { tail -n 30 "$tmp/apt.log" >&2; die "installing the build dependencies in the trixie build root failed"; }
    in_tree "$tree" apt-get clean
    rm -rf "$tree"/var/lib/apt/lists/*
    mv "$tree" "$tmp/root"
    commit_dir "$dir"; BUILT=1
}

# Build or reuse the Debian 13 components and append their variables to ENV:
#   VM_D13_ROOTFS, VM_D13_KERNELS (short names), VM_D13_KVER_<k>,
#   VM_D13_KERNEL_<k>, VM_D13_INITRD_<k> (k = 6_12, 7_3...), VM_D13_BUILDROOT.
debian13_assets() { # MIRROR SELF_HASH ENV
    local mirror=$1 self_hash=$2 env=$3 k7 v7 v6 key dir kdir kver short ikey idir shorts=
    k7=$(trixie_kernel7_package)
    [ -n "$k7" ] || die "trixie-backports has no linux-image-7.*+deb13-amd64"
    v7=$(trixie_version "$k7")
    # trixie's candidate of linux-image-amd64 (6.12; backports' 7.x one has the lower pin)
    v6=$(trixie_apt_cache policy linux-image-amd64 | awk '/Candidate:/ { print $2; exit }')
    key=$(hash_of "$k7=$v7" "linux-image-amd64=$v6" "$ROOTFS13_PACKAGES" \
          "$(declare -f build_rootfs13 configure_rootfs in_tree write_trixie_sources)" \
          "$(trixie_version systemd) $(trixie_version daxctl) $(trixie_version initramfs-tools)")
    dir=$VM_CACHE/rootfs13-$key
    if ! is_built "$dir"; then
        note "Debian 13 image: debootstrap trixie, kernels linux-image-amd64 $v6 and $k7 $v7 (takes several minutes)"
        build_rootfs13 "$mirror" "$dir" "$k7"
    fi
    echo "VM_D13_ROOTFS=$dir/rootfs.img" >> "$env"
    for kdir in "$dir"/kernel-*; do
        kver=${kdir##*/kernel-}
        short=$(echo "$kver" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/'); short=${short/./_}
        ikey=$(hash_of "$self_hash" "$kdir" "$(declare -f build_initramfs)" "$INITRAMFS_TOOLS" \
               "$(cat "$VM_DIR/guest/init")" "$(dpkg-query -W busybox-static kmod daxctl ndctl util-linux)")
        idir=$VM_CACHE/initramfs13-$short-$ikey
        if ! is_built "$idir"; then
            note "Debian 13 kernel $kver: building the lab initramfs"
            build_initramfs "$kdir" "$kver" "$idir"
        fi
        {
            echo "VM_D13_KVER_$short=$kver"
            echo "VM_D13_KERNEL_$short=$kdir/tree/boot/vmlinuz-$kver"
            echo "VM_D13_INITRD_$short=$idir/initramfs.cpio"
        } >> "$env"
        shorts+=" ${short/_/.}"
    done
    echo "VM_D13_KERNELS='${shorts# }'" >> "$env"

    key=$(hash_of "$(debian13_build_depends)" "$(declare -f build_buildroot13 in_tree write_trixie_sources)" \
          "$(trixie_version debhelper) $(trixie_version lintian) $(trixie_version gcc)")
    dir=$VM_CACHE/buildroot13-$key
    if ! is_built "$dir"; then
        note "Debian 13 build root: debootstrap trixie with debian/control's Build-Depends"
        build_buildroot13 "$mirror" "$dir"
    fi
    echo "VM_D13_BUILDROOT=$dir/root" >> "$env"
}
