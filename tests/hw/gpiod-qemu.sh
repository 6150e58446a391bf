#!/bin/bash
# gpiod-qemu.sh: the "gpiod:" GPIO backend against a real Linux GPIO chip.
#
# Debian's kernel does not ship gpio-sim and the build machines have no GPIO,
# so: build gpio-sim out of tree from Debian's linux-source-6.1 against the
# matching linux-headers, boot that Debian kernel under QEMU (TCG) with a
# busybox initramfs, create a gpio-sim chip with named lines through configfs
# and run tests/hw/gpiod_hw_test (linked with our libcxgpio.a) on it.
#
#   tests/hw/gpiod-qemu.sh [RIGDIR]     (from the top of the tree; root
#                                        installs missing Debian packages)
# Prints PASS or FAIL and the timings; exits non-zero on failure.
# Env: CX_HW_TIMEOUT (seconds for the guest, default 300), KEEP=1 keeps RIGDIR.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
RIG=${1:-$(mktemp -d /tmp/cx-gpiod-qemu.XXXXXX)}
TIMEOUT=${CX_HW_TIMEOUT:-300}
# the package list is the Makefile's HW_PKGS (make check-hw passes it)
PKGS=${CX_HW_PKGS:-$(make -s -C "$TOP" hw-pkgs)}
[ -n "$PKGS" ] || { echo "gpiod-qemu: no package list (make hw-pkgs)"; echo FAIL; exit 1; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
die() { echo "gpiod-qemu: $*" >&2; echo "FAIL"; exit 1; }
mkdir -p "$RIG"
[ -n "${KEEP:-}" ] || [ -n "${1:-}" ] || trap 'rm -rf "$RIG"' EXIT

t_start=$(now)

# --- 1. packages -------------------------------------------------------------
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || die "missing Debian packages:$missing (run as root to install)"
	echo "gpiod-qemu: installing:$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >"$RIG/apt.log" 2>&1 || { tail -20 "$RIG/apt.log"; die "apt-get failed"; }
fi
t_installed=$(now)

# The kernel the linux-image-amd64 metapackage points at; headers and source
# must be of the same Debian version, or the module may not load.
KVER=$(dpkg-query -W -f='${Depends}' linux-image-amd64 |
	grep -o 'linux-image-[0-9][^ ,]*-amd64' | head -1 | sed 's/^linux-image-//')
[ -n "$KVER" ] || die "cannot tell the kernel version of linux-image-amd64"
KPKGVER=$(dpkg-query -W -f='${Version}' "linux-image-$KVER")
SRCVER=$(dpkg-query -W -f='${Version}' linux-source-6.1)
[ "$KPKGVER" = "$SRCVER" ] ||
	die "linux-image-$KVER is $KPKGVER but linux-source-6.1 is $SRCVER: upgrade both"
VMLINUZ=/boot/vmlinuz-$KVER
KBUILD=/lib/modules/$KVER/build
[ -r "$VMLINUZ" ] && [ -d "$KBUILD" ] || die "no $VMLINUZ or $KBUILD (linux-headers-$KVER?)"
echo "gpiod-qemu: kernel $KVER ($KPKGVER), rig $RIG"

# --- 2. gpio-sim, out of tree --------------------------------------------------
MOD=$RIG/mod
rm -rf "$MOD" && mkdir -p "$MOD"
SRCTAR=$(ls /usr/src/linux-source-6.1.tar.* | head -1)
tar -xf "$SRCTAR" -C "$MOD" --strip-components=1 \
	linux-source-6.1/drivers/gpio/gpio-sim.c linux-source-6.1/drivers/gpio/gpiolib.h \
	linux-source-6.1/kernel/irq/irq_sim.c
mv "$MOD/drivers/gpio/gpio-sim.c" "$MOD/gpio-sim-main.c"
mv "$MOD/drivers/gpio/gpiolib.h" "$MOD/gpiolib.h"
# irq_to_desc() is not exported to modules; generic_handle_irq() does the same here
sed 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' \
	"$MOD/kernel/irq/irq_sim.c" >"$MOD/irq_sim.c"
grep -q 'generic_handle_irq(irqnum);' "$MOD/irq_sim.c" || die "irq_sim.c patch did not apply"
printf 'obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-main.o irq_sim.o\n' >"$MOD/Kbuild"
make -s -C "$KBUILD" M="$MOD" modules >"$MOD/build.log" 2>&1 ||
	{ tail -30 "$MOD/build.log"; die "gpio-sim module build failed"; }
t_module=$(now)

# --- 3. the test program, static so the initramfs needs no libraries ----------
B=$RIG/build
(cd "$TOP" && make -s BUILD="$B" "$B/libcxgpio.a" "$B/common/clock.o" "$B/common/err.o") ||
	die "building libcxgpio.a failed"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -O2 -I"$TOP" -static -o "$RIG/gpiod_hw_test" \
	"$TOP/tests/hw/gpiod_hw_test.c" "$B/libcxgpio.a" "$B/common/clock.o" "$B/common/err.o" \
	$(pkg-config --libs --static libgpiod) || die "building gpiod_hw_test failed"

# --- 4. initramfs -----------------------------------------------------------
ROOT=$RIG/root
rm -rf "$ROOT" && mkdir -p "$ROOT"/{bin,dev,proc,sys,mod,tmp}
cp /bin/busybox "$ROOT/bin/busybox"
cp "$RIG/gpiod_hw_test" "$ROOT/bin/"
# modules gpio-sim needs (configfs, ...), in load order, then gpio-sim itself
deps=$(modinfo -F depends "$MOD/gpio-sim.ko" | tr ',' ' ')
order=""
for d in configfs $deps; do
	for ko in $(modprobe -S "$KVER" --show-depends "$d" 2>/dev/null | awk '$1 == "insmod" { print $2 }'); do
		case " $order " in *" $ko "*) ;; *) order="$order $ko" ;; esac
	done
done
: >"$ROOT/mod/order"
for ko in $order; do
	cp "$ko" "$ROOT/mod/" && echo "$(basename "$ko")" >>"$ROOT/mod/order"
done
cp "$MOD/gpio-sim.ko" "$ROOT/mod/" && echo gpio-sim.ko >>"$ROOT/mod/order"

cat >"$ROOT/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc none /proc; mount -t sysfs none /sys; mount -t devtmpfs none /dev
result() { echo "CX-HW-RESULT: $1"; poweroff -f; }
for m in $(cat /mod/order); do
	case $m in *.xz) unxz /mod/$m; m=${m%.xz} ;; *.zst) result "FAIL (cannot unpack $m)" ;; esac
	insmod /mod/$m || result "FAIL (insmod $m)"
done
grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config
C=/sys/kernel/config/gpio-sim/cx
mkdir $C $C/bank0 || result "FAIL (no gpio-sim configfs)"
echo 8 > $C/bank0/num_lines
n=0
for name in cx-amp cx-siren cx-amp-fb cx-beacon cx-door; do
	mkdir $C/bank0/line$n; echo $name > $C/bank0/line$n/name; n=$((n + 1))
done
echo 1 > $C/live || result "FAIL (gpio-sim chip did not go live)"
chip=$(cat $C/bank0/chip_name); dev=$(cat $C/dev_name)
echo "gpio-sim: $chip on $dev"
/bin/gpiod_hw_test $chip /sys/devices/platform/$dev/$chip && result PASS
result FAIL
EOF
chmod 755 "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) >"$RIG/initrd.gz"
t_prepared=$(now)

# --- 5. boot ----------------------------------------------------------------
timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -m 512 -smp 2 -nographic -no-reboot \
	-nic none -kernel "$VMLINUZ" -initrd "$RIG/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/init" </dev/null >"$RIG/console.log" 2>&1 || true
t_end=$(now)

tr -d '\r' <"$RIG/console.log" | grep -E '^(ok|FAIL|   \(|gpio-sim:|gpiod_hw_test:|CX-HW-RESULT)' || true
echo "gpiod-qemu: timings: install $(secs "$t_start" "$t_installed") s," \
	"module $(secs "$t_installed" "$t_module") s," \
	"test program + initramfs $(secs "$t_module" "$t_prepared") s," \
	"guest $(secs "$t_prepared" "$t_end") s;" \
	"total $(secs "$t_start" "$t_end") s, without install $(secs "$t_installed" "$t_end") s"
if grep -q 'CX-HW-RESULT: PASS' "$RIG/console.log"; then
	echo "PASS"
	exit 0
fi
echo "gpiod-qemu: guest console (last 40 lines of $RIG/console.log):"
tail -40 "$RIG/console.log"
echo "FAIL"
exit 1
