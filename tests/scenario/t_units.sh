#!/usr/bin/env bash
# The shipped systemd units: what the daemons need of them (Type=notify with
# a watchdog, ordered after the time and the network, the node's GPIO and
# sound devices) and their hardening, scored by systemd-analyze itself
# (offline, as on a build machine): 2.0 or lower ("OK") for both.
. "$(dirname "$0")/lib.sh"

# unit_file NAME: the unit as installed (a template's @VARS@ filled in)
unit_file() {
	local src=$TOP/firmware-config/$1
	if [ -f "$src.in" ]; then
		sed -e 's|@SBINDIR@|/usr/sbin|g; s|@BINDIR@|/usr/bin|g; s|@SYSCONFDIR@|/etc|g' \
		    -e 's|@LOCALSTATEDIR@|/var|g; s|@[A-Z]*DIR@|/usr/share|g' "$src.in" > "$RIG/$1"
	else
		cp "$src" "$RIG/$1"
	fi
}
# directive UNIT KEY: the values of KEY= in the unit, one a line
directive() { sed -n "s/^$2=//p" "$RIG/$1"; }
has() { directive "$1" "$2" | grep -qxF -- "$3"; }
score() {
	systemd-analyze security --offline=true "$RIG/$1" 2>/dev/null |
		sed -n 's/^→ Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}

for u in cunxiangd.service cunxiang-hub.service; do
	unit_file $u
	check "$u: Type=notify" has $u Type notify
	check "$u: NotifyAccess=main" has $u NotifyAccess main
	check "$u: WatchdogSec=30" has $u WatchdogSec 30
	check "$u: after time-sync.target and network-online.target" \
		bash -c "grep -E '^After=' '$RIG/$u' | grep -q time-sync.target && grep -E '^After=' '$RIG/$u' | grep -q network-online.target"
	check "$u: its configuration checked before start (-n)" \
		bash -c "grep -E '^ExecStartPre=' '$RIG/$u' | grep -q -- ' -n -c '"
	s=$(score $u)
	check "$u: systemd-analyze security exposure $s <= 2.0 (OK)" \
		awk -v s="$s" 'BEGIN { exit !(s != "" && s + 0 <= 2.0) }'
	check "$u: systemd-analyze --threshold=20 agrees" \
		bash -c "systemd-analyze security --offline=true --threshold=20 '$RIG/$u' >/dev/null 2>&1"
	check "$u: restarted when it stops" has $u Restart always
	check "$u: ... however often (no start limit)" has $u StartLimitIntervalSec 0
done

# the node's hardware stays reachable
u=cunxiangd.service
check "node: sound.target before it" bash -c "grep -E '^After=' '$RIG/$u' | grep -q sound.target"
check "node: devices closed but the GPIO chips" has $u DeviceAllow "char-gpiochip rw"
check "node: ... and ALSA" has $u DeviceAllow "char-alsa rw"
check "node: DevicePolicy=closed" has $u DevicePolicy closed
check "node: no PrivateDevices (it would hide /dev/gpiochip* and /dev/snd)" \
	bash -c "! grep -qE '^PrivateDevices=(yes|true|1)' '$RIG/$u'"
check "node: the gpio and audio groups" has $u SupplementaryGroups "gpio audio"
check "node: its state directory" has $u StateDirectory cunxiang
# systemd's own reading of the filter lines (a later ~@privileged takes
# @clock, adjtimex with it, out of an earlier allow list)
check "node: adjtimex allowed (it reads whether NTP synchronised the clock)" \
	bash -c "systemd-analyze security --offline=true '$RIG/$u' 2>/dev/null |
		grep -F 'SystemCallFilter=~@clock' | grep -q 'adjtimex is allowed' &&
		! grep -qE '^ProtectClock=(yes|true|1)' '$RIG/$u'"
check "node: the broker's address families" has $u RestrictAddressFamilies "AF_INET AF_INET6 AF_UNIX"
check "node: a start or stop that times out gets SIGABRT too (its handler opens the relays)" \
	bash -c "grep -qx 'TimeoutStartFailureMode=abort' '$RIG/$u' && grep -qx 'TimeoutStopFailureMode=abort' '$RIG/$u'"
check "node: WatchdogSignal left at SIGABRT (its handler opens the relays)" \
	bash -c "! grep -qE '^WatchdogSignal=' '$RIG/$u' || grep -qx 'WatchdogSignal=SIGABRT' '$RIG/$u'"
u=cunxiang-hub.service
check "hub: no devices" has $u PrivateDevices yes
check "hub: its state directory" has $u StateDirectory cunxiang-hub
finish
