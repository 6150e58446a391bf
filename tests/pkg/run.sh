#!/bin/bash
# tests/pkg/run.sh: the Debian packages, built and used as an administrator
# would on a fresh Debian 12 (make check-pkg; root).
#
#  1. dpkg-buildpackage -us -uc -b on a copy of the tree (build/pkg/v1),
#     lintian on the result (errors and warnings fail, overrides justified
#     in debian/*.lintian-overrides); the same tree again with a bumped
#     changelog version (build/pkg/v2), for the upgrade
#  2. a minimal bookworm made by debootstrap (cached in build/pkg/ as a
#     tarball: a rerun only unpacks it), policy-rc.d so nothing starts
#  3. apt installs the .debs there, their dependencies from the archive;
#     the files, the users and groups, the state directories, the units'
#     paths (and systemd-analyze verify on them), the installed programs
#     checking the installed example configs
#  4. the upgrade to v2: the node's state and the users are kept
#  5. apt-get purge: no file of the packages, no state directory is left
#
#   tests/pkg/run.sh [RIGDIR]    (from anywhere; KEEP=1 keeps RIGDIR)
# Env: CX_PKG_PKGS (the packages it needs, default make pkg-pkgs),
#      CX_MIRROR (default http://deb.debian.org/debian), BUILD (build).
# Prints ok/FAIL lines, the time of each step and "N passed, M failed".
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$TOP/${BUILD:-build}/pkg
RIG=${1:-$(mktemp -d /tmp/cx-pkg.XXXXXX)}
MIRROR=${CX_MIRROR:-http://deb.debian.org/debian}
PKGS=${CX_PKG_PKGS:-$(make -s -C "$TOP" pkg-pkgs)}
ROOT=$RIG/root
BASE=$OUT/bookworm-minbase.tar.gz
NPASS=0 NFAIL=0

ok()   { NPASS=$((NPASS + 1)); echo "ok - $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
die() { echo "pkg: $*" >&2; echo "$NPASS passed, $((NFAIL + 1)) failed"; exit 1; }
now() { date +%s; }
T0=$(now); TS=$T0
step() { local t; t=$(now); echo "== $* (+$((t - TS)) s)"; TS=$t; }
# a command in the chroot, with a clean environment
in_root() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
	chroot "$ROOT" "$@"; }
export -f in_root; export ROOT RIG

cleanup() {
	mountpoint -q "$ROOT/proc" 2>/dev/null && umount "$ROOT/proc"
	if [ -n "${KEEP:-}" ]; then echo "rig kept: $RIG"; else rm -rf "$RIG"; fi
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
mkdir -p "$RIG" "$OUT"

# --- the packages this test needs ---------------------------------------------
make -s -C "$TOP" deps DEPS_PKGS="$PKGS"

# --- 1. build v1 and v2 --------------------------------------------------------
VERSION=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
V2=$VERSION+pkgtest1
# build DIR: the tree as committed plus what is not ignored yet, in DIR/src
copy_tree() {
	rm -rf "$1"; mkdir -p "$1/src"
	git -C "$TOP" ls-files -co --exclude-standard -z |
		(cd "$TOP" && tar --null -T - -cf -) | tar -xf - -C "$1/src"
}
build() {
	(cd "$1/src" && dpkg-buildpackage -us -uc -b -j2) > "$1/build.log" 2>&1 ||
		{ tail -30 "$1/build.log"; return 1; }
}
copy_tree "$OUT/v1"
check "dpkg-buildpackage -us -uc -b builds $VERSION (unit tests included)" build "$OUT/v1"
CHANGES=$OUT/v1/cunxiang_${VERSION}_$(dpkg --print-architecture).changes
[ -f "$CHANGES" ] || die "no $CHANGES"
for p in cunxiang-node cunxiang-ctl cunxiang-hub cunxiang-common; do
	check "the package $p is built" bash -c "ls '$OUT/v1/${p}_${VERSION}_'*.deb >/dev/null"
done
lintian -I --fail-on error,warning "$CHANGES" > "$RIG/lintian.out" 2>&1 || true
check "lintian: no error or warning (each override justified in debian/)" \
	bash -c "! grep -qE '^[EW]: ' '$RIG/lintian.out'"
grep -E '^[EWI]: ' "$RIG/lintian.out" | sed 's/^/  lintian: /' || true
check "the binaries are hardened (PIE, BIND_NOW, stack protector, fortify)" bash -c "
	d=\$(mktemp -d); dpkg-deb -x '$OUT/v1/cunxiang-node_${VERSION}_'*.deb \$d
	readelf -d \$d/usr/sbin/cunxiangd | grep -q 'FLAGS_1.*NOW.*PIE' &&
	readelf -W --dyn-syms \$d/usr/sbin/cunxiangd | grep -q __stack_chk_fail &&
	readelf -W --dyn-syms \$d/usr/sbin/cunxiangd | grep -q '__[a-z]*_chk@'; r=\$?; rm -rf \$d; exit \$r"
step "built $VERSION"

copy_tree "$OUT/v2"
{
	printf 'cunxiang (%s) unstable; urgency=medium\n\n  * Upgrade test build.\n\n' "$V2"
	printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Maintainer)" "$(date -R)"
	cat "$TOP/debian/changelog"
} > "$OUT/v2/src/debian/changelog"
DEB_BUILD_OPTIONS=nocheck check "the same tree with version $V2 builds" build "$OUT/v2"
step "built $V2"

# --- 2. a fresh bookworm ---------------------------------------------------------
if [ ! -s "$BASE" ]; then
	rm -rf "$RIG/base"
	debootstrap --variant=minbase bookworm "$RIG/base" "$MIRROR" > "$RIG/debootstrap.log" 2>&1 ||
		{ tail -20 "$RIG/debootstrap.log"; die "debootstrap failed"; }
	rm -rf "$RIG/base/var/cache/apt/archives/"*.deb
	tar -C "$RIG/base" -czf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE"
	rm -rf "$RIG/base"
fi
mkdir -p "$ROOT"
tar -C "$ROOT" -xzf "$BASE"
# nothing starts in the chroot (invoke-rc.d, deb-systemd-invoke)
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"; chmod 755 "$ROOT/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
in_root apt-get update -qq > "$RIG/apt.log" 2>&1 || { cat "$RIG/apt.log"; die "apt-get update in the chroot failed"; }
step "a minimal bookworm in $ROOT"

# --- 3. install ------------------------------------------------------------------
debs() { ls "$OUT/$1"/cunxiang-*.deb | grep -v dbgsym; }
mkdir -p "$ROOT/tmp/v1" "$ROOT/tmp/v2"
cp $(debs v1) "$ROOT/tmp/v1/"; cp $(debs v2) "$ROOT/tmp/v2/"
install_debs() { in_root sh -c "apt-get install -y -q -o Dpkg::Options::=--force-confold /tmp/$1/*.deb" \
	>> "$RIG/apt.log" 2>&1 || { tail -30 "$RIG/apt.log"; return 1; }; }
check "apt installs the four packages, dependencies from the archive" install_debs v1
has() { [ -e "$ROOT$1" ]; }
for f in /usr/sbin/cunxiangd /usr/bin/cunxiangctl /usr/sbin/cunxiang-hub \
	 /etc/cunxiang/node.conf.example /etc/cunxiang/ctl.conf.example /etc/cunxiang/hub.conf.example \
	 /lib/systemd/system/cunxiangd.service /lib/systemd/system/cunxiang-hub.service \
	 /usr/lib/sysusers.d/cunxiang.conf /usr/lib/tmpfiles.d/cunxiang.conf \
	 /lib/udev/rules.d/60-cunxiang-gpio.rules /usr/share/cunxiang/zones.csv \
	 /usr/share/cunxiang/console/index.html /usr/share/cunxiang/broker/cunxiang.conf \
	 /usr/share/cunxiang/clips; do
	check "installed: $f" has "$f"
done
check "the hub.conf example names the installed zones file and console" bash -c \
	"grep -qx '#zones = /usr/share/cunxiang/zones.csv' '$ROOT/etc/cunxiang/hub.conf.example' &&
	 grep -qx '#console_dir = /usr/share/cunxiang/console' '$ROOT/etc/cunxiang/hub.conf.example'"
check "the node.conf example names the installed clip directory" \
	grep -qx 'clip_dir = /usr/share/cunxiang/clips' "$ROOT/etc/cunxiang/node.conf.example"
check "the examples are conffiles" bash -c \
	"grep -q '^/etc/cunxiang/node.conf.example' '$ROOT/var/lib/dpkg/info/cunxiang-node.conffiles'"
check "user cunxiang, in groups cunxiang, gpio and audio" bash -c \
	"[ \"\$(in_root id -nG cunxiang | tr ' ' '\n' | sort | tr '\n' ' ')\" = 'audio cunxiang gpio ' ]"
check "user cunxiang-hub" bash -c "in_root id cunxiang-hub >/dev/null"
check "the udev rule gives group gpio the GPIO chips" \
	grep -qx 'SUBSYSTEM=="gpio", KERNEL=="gpiochip\*", GROUP="gpio", MODE="0660"' \
	"$ROOT/lib/udev/rules.d/60-cunxiang-gpio.rules"
check "the node's postinst replays the GPIO chips' udev events (where udev runs)" \
	grep -q 'udevadm trigger --subsystem-match=gpio' "$ROOT/var/lib/dpkg/info/cunxiang-node.postinst"
owner() { [ "$(in_root stat -c '%U:%G %a' "$1")" = "$2" ]; }
check "state directory /var/lib/cunxiang, cunxiang's, 0750" owner /var/lib/cunxiang "cunxiang:cunxiang 750"
check "state directory /var/lib/cunxiang-hub, cunxiang-hub's, 0750" \
	owner /var/lib/cunxiang-hub "cunxiang-hub:cunxiang-hub 750"
check "the node's unit runs /usr/sbin/cunxiangd with /etc/cunxiang/node.conf" \
	grep -qx 'ExecStart=/usr/sbin/cunxiangd -c /etc/cunxiang/node.conf' "$ROOT/lib/systemd/system/cunxiangd.service"
check "the hub's unit runs /usr/sbin/cunxiang-hub with /etc/cunxiang/hub.conf" \
	grep -qx 'ExecStart=/usr/sbin/cunxiang-hub -c /etc/cunxiang/hub.conf' "$ROOT/lib/systemd/system/cunxiang-hub.service"
check "no unit names /usr/local" bash -c \
	"ls '$ROOT'/lib/systemd/system/cunxiang* >/dev/null && ! grep -l /usr/local '$ROOT'/lib/systemd/system/cunxiang*"
check "both units are enabled" bash -c \
	"[ -L '$ROOT/etc/systemd/system/multi-user.target.wants/cunxiangd.service' ] &&
	 [ -L '$ROOT/etc/systemd/system/multi-user.target.wants/cunxiang-hub.service' ]"
if systemd-analyze verify --help 2>/dev/null | grep -q -- '--root'; then
	for u in cunxiangd cunxiang-hub; do
		check "systemd-analyze verify $u.service (host's systemd, the chroot's files)" bash -c \
			"systemd-analyze verify --man=no --root='$ROOT' /lib/systemd/system/$u.service > '$RIG/verify-$u' 2>&1 ||
			 { cat '$RIG/verify-$u'; exit 1; }; ! grep -v '^$' '$RIG/verify-$u'"
	done
fi
check "cunxiangctl runs in the fresh system" bash -c "in_root cunxiangctl --version | grep -q '^cunxiangctl '"
# the example configs as an administrator fills them in: the files they
# name made, the example's hardware (gpiod:gpiochip0, alsa:default) kept
# out, for there is none in a chroot
in_root bash -c 'set -e; cd /etc/cunxiang
	sed -e "s|^device = gpiod:gpiochip0|device = sim:/tmp/sim|" -e "s|^device = alsa:default|device = null:|" \
		node.conf.example > /tmp/node.conf
	echo secret > mqtt.pass; chown cunxiang mqtt.pass; chmod 600 mqtt.pass
	echo secret > hub.pass; chown cunxiang-hub hub.pass; chmod 600 hub.pass
	mkdir -p /tmp/sim' > "$RIG/admin.log" 2>&1 || true
openssl req -x509 -newkey ed25519 -nodes -keyout "$RIG/ca.key" -out "$ROOT/etc/cunxiang/broker-ca.pem" \
	-subj /CN=test-ca -days 2 > /dev/null 2>&1
openssl genpkey -algorithm ed25519 -out "$ROOT/etc/cunxiang/hub.key" 2>/dev/null
printf 'admin root %s\n' "$(printf tok | sha256sum | cut -d' ' -f1)" > "$ROOT/etc/cunxiang/hub.tokens"
sed -e 's|^#zones = /usr/share/|zones = /usr/share/|' "$ROOT/etc/cunxiang/hub.conf.example" > "$ROOT/tmp/hub.conf"
check "the installed cunxiangd checks the installed node.conf example: configuration OK" bash -c \
	"in_root cunxiangd -n -c /tmp/node.conf 2>&1 | tee '$RIG/n.out' | grep -q 'configuration OK' || { cat '$RIG/n.out'; exit 1; }"
check "the installed cunxiang-hub checks the installed hub.conf example: configuration OK" bash -c \
	"in_root cunxiang-hub -n -c /tmp/hub.conf 2>&1 | tee '$RIG/h.out' | grep -q 'configuration OK' || { cat '$RIG/h.out'; exit 1; }"
rm -f "$ROOT"/etc/cunxiang/{mqtt.pass,hub.pass,broker-ca.pem,hub.key,hub.tokens}
step "installed and checked"

# --- 4. upgrade ------------------------------------------------------------------
echo "node key stand-in" > "$ROOT/var/lib/cunxiang/node.key"
uid=$(in_root id -u cunxiang)
check "apt upgrades to $V2" install_debs v2
check "... which is installed" bash -c \
	"[ \"\$(in_root dpkg-query -W -f='\${Version}' cunxiang-node)\" = '$V2' ]"
check "... the node's state is kept" grep -qx "node key stand-in" "$ROOT/var/lib/cunxiang/node.key"
check "... and its user (same uid)" bash -c "[ \"\$(in_root id -u cunxiang)\" = '$uid' ]"
step "upgraded"

# --- 5. purge --------------------------------------------------------------------
in_root dpkg-query -L cunxiang-node cunxiang-ctl cunxiang-hub cunxiang-common 2>/dev/null |
	sort -u > "$RIG/files"
check "apt-get purge removes the four packages" bash -c \
	"in_root apt-get purge -y -q cunxiang-node cunxiang-ctl cunxiang-hub cunxiang-common >> '$RIG/apt.log' 2>&1"
# (directories such as /lib, a link in a merged-/usr system, are shared)
left() {
	while read -r f; do
		[ -d "$ROOT$f" ] && continue
		if [ -e "$ROOT$f" ] || [ -L "$ROOT$f" ]; then echo "$f"; fi
	done < "$RIG/files"
}
export -f left
check "no file of the packages is left" bash -c "out=\$(left); [ -z \"\$out\" ] || { echo \"\$out\"; exit 1; }"
for d in /var/lib/cunxiang /var/lib/cunxiang-hub /etc/cunxiang /usr/share/cunxiang; do
	check "purged: $d" bash -c "[ ! -e '$ROOT$d' ]"
done
check "the units' enablement links are gone" bash -c \
	"! ls '$ROOT'/etc/systemd/system/*/cunxiang* 2>/dev/null | grep -q ."
step "purged"

echo "pkg: total $(( $(now) - T0 )) s"
echo "$NPASS passed, $NFAIL failed"
[ "$NFAIL" -eq 0 ]
