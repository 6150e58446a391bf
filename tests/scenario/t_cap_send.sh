#!/usr/bin/env bash
# warn --cap end to end: a CAP 1.2 alert with GB/T 2260 geocodes and an
# audio resource (digest = the clip's SHA-1) is signed by cunxiangctl with
# the township key, published to the zones the CAP area names, and played
# by a real node (sim GPIO, WAV sink), which answers with a signed `done`
# receipt; `--wait` reports it.  The payload the broker carried verifies
# with the township key (openssl) and its body is what --dry-run printed.
# A CAP Cancel of it is signed and published as a cancel.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip flood.opus 1 660
node_conf village-201 430682101201
rig_up village-201 || exit 1
ctl_conf village-201
mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor \
	-t "$PREFIX/alert/#" -F '%t %x' >"$RIG/alerts" 2>/dev/null &
probe() { mosquitto_pub -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor \
	-t "$PREFIX/alert/probe" -m x 2>/dev/null; grep -q "^$PREFIX/alert/probe " "$RIG/alerts"; }
wait_for 30 probe || { echo "alert capture did not subscribe"; exit 1; }

# the CAP file, times around now in China's time zone
cap_time() { TZ=Asia/Shanghai date -d "@$1" +%Y-%m-%dT%H:%M:%S+08:00; }
NOW=$(date -u +%s)
sed -e "s/@SHA1@/$(sha1sum "$RIG/clips/flood.opus" | cut -d' ' -f1)/" \
	-e "s/@EXPIRES@/$(cap_time $((NOW + 3600)))/" \
	-e "s/2026-12-02T18:00:00+08:00/$(cap_time $((NOW - 60)))/g" \
	"$TOP/tests/data/cap/cn-flood.xml.in" >"$RIG/cn.xml"
ID=430682101-20261202-0001

ctl warn -c "$RIG/ctl.conf" --cap "$RIG/cn.xml" --clip-dir "$RIG/clips" --siren test-short \
	--dry-run >"$RIG/dry.json" 2>"$RIG/dry.err"
check "dry run: exit 0" [ $? = 0 ]
ctl warn -c "$RIG/ctl.conf" --cap "$RIG/cn.xml" --clip-dir "$RIG/clips" --siren test-short \
	--wait 60 >"$RIG/warn.out" 2>"$RIG/warn.err"
rc=$?
check "warn --cap --wait: exit 0 (every expected node done)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { cat "$RIG/warn.out" "$RIG/warn.err"; tail -20 "$RIG/village-201.log"; }
check "the node's signed receipt: done" wait_receipt village-201 "$ID" done
check "the node played sound" [ "$(stat -c %s "$RIG/village-201/out.wav")" -gt 48000 ]
check "the body pins the CAP clip by its SHA-256, after the siren" grep -qF \
	"\"play\":[{\"siren\":\"test-short\"},{\"clip\":\"flood.opus\",\"sha256\":\"$(sha "$RIG/clips/flood.opus")\"}]" \
	"$RIG/dry.json"
frames=$(receipt_get village-201 "$ID" done 'r["frames"]')
check "siren (1-1.2 s) and clip (1 s) both played, neither alone reaches 90000 frames: $frames" [ "${frames:-0}" -ge 90000 ]
two_zones() { [ "$(grep -c "^$PREFIX/alert/43/06/82/101/20[12] " "$RIG/alerts")" = 2 ]; }
check "one copy to each CAP geocode's zone" wait_for 10 two_zones

# the payload as carried: the township's signature over the exact body --dry-run printed
grep "^$PREFIX/alert/43/06/82/101/201 " "$RIG/alerts" | head -1 | cut -d' ' -f2 |
	python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))' \
	>"$RIG/payload"
tail -c +$(( $(head -n1 "$RIG/payload" | wc -c) + 1 )) "$RIG/payload" >"$RIG/body"
head -n1 "$RIG/payload" | cut -d' ' -f4 | base64 -d >"$RIG/sig"
openssl pkey -in "$RIG/township.pem" -pubout -out "$RIG/township.pub" 2>/dev/null
check "the payload verifies with the township key (openssl)" \
	openssl pkeyutl -verify -rawin -pubin -inkey "$RIG/township.pub" -in "$RIG/body" -sigfile "$RIG/sig"
body_same() {   # the same body but "sent" (signing time)
	python3 - "$RIG/dry.json" "$RIG/body" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
a.pop("sent"); b.pop("sent")
sys.exit(0 if a == b else 1)
PY
}
check "the signed body is what --dry-run printed (but sent)" body_same
ctl show --cap "$RIG/payload" >"$RIG/show.xml"
check "show --cap of the payload as carried: valid CAP 1.2" \
	xmllint --noout --schema "$TOP/common/CAP-v1.2.xsd" "$RIG/show.xml"

# a CAP Cancel of it (no <info>: the zones from --zone)
cat >"$RIG/cancel.xml" <<CAP
<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>430682101-20261202-0002</identifier>
  <sender>430682101</sender>
  <sent>$(cap_time "$NOW")</sent>
  <status>Actual</status>
  <msgType>Cancel</msgType>
  <scope>Public</scope>
  <references>430682101,$ID,$(cap_time "$NOW")</references>
</alert>
CAP
ctl warn -c "$RIG/ctl.conf" --cap "$RIG/cancel.xml" --zone 430682101201 >"$RIG/cancel.out" 2>&1
check "CAP Cancel: exit 0, the id printed" grep -qx "430682101-20261202-0002" "$RIG/cancel.out"
cancel_seen() { grep -c "^$PREFIX/alert/43/06/82/101/201 " "$RIG/alerts" | grep -qx 2; }
check "CAP Cancel: published to the zone" wait_for 10 cancel_seen
finish
