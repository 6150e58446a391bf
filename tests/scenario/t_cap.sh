#!/usr/bin/env bash
# warn --cap and show --cap (CAP 1.2, common/cap.h), no broker: the CAP 1.2
# specification's Appendix A examples, real-world alerts (NWS, IPAWS, NTWC)
# and broken ones.  Each case asserts what the CLI prints on stderr and, with
# --dry-run, the exact body that would be signed.  The clock is frozen with
# faketime at each alert's time (a dry run sends nothing, so an old clock is
# allowed there).
#
#   BUILD=build bash tests/scenario/t_cap.sh
. "$(dirname "$0")/lib.sh"

DATA=$TOP/tests/data/cap
CONF=$RIG/ctl.conf
printf '[mqtt]\nhost = 127.0.0.1\nprefix = cx\n[signer]\nkey = %s/none.pem\nkid = township-101\n' \
	"$RIG" >"$CONF"
export TZ=UTC

# at TIME ARGS...: cunxiangctl warn --dry-run at a frozen clock; stdout in
# $RIG/out, stderr in $RIG/err, exit status in $RC
at() {
	local t=$1; shift
	faketime -f "$t" "$CTL" warn -c "$CONF" --dry-run "$@" >"$RIG/out" 2>"$RIG/err"
	RC=$?
}
out_is() { [ "$(cat "$RIG/out")" = "$1" ] || { echo "  got: $(cat "$RIG/out")"; return 1; }; }
err_has() { grep -qF -- "$1" "$RIG/err" || { echo "  stderr: $(cat "$RIG/err")"; return 1; }; }
refused() {   # WHAT EXPECTED-STDERR
	check "$1: exit 2" [ "$RC" = 2 ]
	check "$1: nothing printed on stdout" [ ! -s "$RIG/out" ]
	check "$1: says why" err_has "$2"
}

# --- Appendix A.2: thunderstorm warning ------------------------------------
at '2003-06-17 22:00:00' --cap "$DATA/spec-a2-thunderstorm.xml" --siren air-raid
refused "A.2 SAME geocodes" "spec-a2-thunderstorm.xml:29: <area>: unknown geocode scheme 'SAME'"
at '2003-06-17 22:00:00' --cap "$DATA/spec-a2-thunderstorm.xml" --siren air-raid --zone 430682101201
check "A.2 with --zone: exit 0" [ "$RC" = 0 ]
check "A.2 body" out_is '{"v":1,"kind":"alert","id":"KSTO1055887203","sender":"KSTO@NWS.NOAA.GOV","sent":1055887200,"status":"actual","type":"alert","event":"SVR","severity":2,"expires":1055890800,"zones":["430682101201"],"title":"SEVERE THUNDERSTORM WARNING","text":"AT 254 PM PDT...NATIONAL WEATHER SERVICE DOPPLER RADAR INDICATED A SEVERE\n            THUNDERSTORM OVER SOUTH CENTRAL ALPINE COUNTY...OR ABOUT 18 MILES SOUTHEAST OF KIRKWOOD...MOVING\n            SOUTHWEST AT 5 MPH. HAIL...INTENSE RAIN AND STRONG DAMAGING WINDS ARE LIKELY WITH THIS\n            STORM.\n\nTAKE COVER IN A SUBSTANTIAL SHELTER UNTIL THE STORM PASSES.","play":[{"siren":"air-raid"}]}'
check "A.2 notes the event code" err_has "note: event: the SAME code SVR"
check "A.2 notes urgency" err_has "note: urgency Immediate and certainty Observed are not carried"
check "A.2 notes what was dropped" err_has "note: dropped: senderName, responseType, contact (no place in a warning)"
at '2026-12-02 10:00:00' --cap "$DATA/spec-a2-thunderstorm.xml" --siren air-raid --zone 430682101201
refused "A.2 today" "spec-a2-thunderstorm.xml:20: <expires>: the alert expired"

# --- A.1 homeland security: event too long, area without geocode -----------
at '2003-04-02 20:00:00' --cap "$DATA/spec-a1-homeland.xml" --siren air-raid
refused "A.1 event" "spec-a1-homeland.xml:11: <event>: 'Homeland Security Advisory System Update' is 40 bytes, at most 32"
at '2003-04-02 20:00:00' --cap "$DATA/spec-a1-homeland.xml" --siren air-raid --event hsas
refused "A.1 area" "<area>: no geocode: give the zones with --zone"
at '2003-04-02 20:00:00' --cap "$DATA/spec-a1-homeland.xml" --siren air-raid --event hsas --zone 430682
check "A.1 with --event --zone: exit 0" [ "$RC" = 0 ]
check "A.1 body" out_is '{"v":1,"kind":"alert","id":"43b080713727","sender":"hsas@dhs.gov","sent":1049313600,"status":"actual","type":"alert","event":"hsas","severity":2,"expires":1049317200,"zones":["430682"],"title":"Homeland Security Sets Code ORANGE","text":"The Department of Homeland Security has elevated the Homeland Security Advisory\n            System threat level to ORANGE / High in response to intelligence which may indicate a heightened\n            threat of terrorism.\n\nA High Condition is declared when there is a high risk of terrorist attacks. In\n            addition to the Protective Measures taken in the previous Threat Conditions, Federal departments\n            and agencies should consider agency-specific Protective Measures in accordance with their\n            existing plans.","play":[{"siren":"air-raid"}]}'
check "A.1 image dropped" err_has "note: resource 'Image file (GIF)' (image/gif) dropped: not audio"
check "A.1 default expiry" err_has "note: no <expires>: the warning expires in 3600 s"

# --- A.3 earthquake: an Update, a circle without geocode -------------------
at '2003-06-12 04:00:00' --cap "$DATA/spec-a3-earthquake.xml" --speech cmn
refused "A.3 circle" "<area>: a polygon or circle without geocodes"
at '2003-06-12 04:00:00' --cap "$DATA/spec-a3-earthquake.xml" --speech cmn --zone 430682
check "A.3 body: an update of TRI13970876.1, spoken" out_is '{"v":1,"kind":"alert","id":"TRI13970876.2","sender":"trinet@caltech.edu","sent":1055390400,"status":"actual","type":"update","ref":"TRI13970876.1","event":"Earthquake","severity":4,"expires":1055394000,"zones":["430682"],"title":"EQ 3.4 Imperial County CA","text":"A minor earthquake measuring 3.4 on the Richter scale occurred near Brawley,\n            California at 8:30 PM Pacific Daylight Time on Wednesday, June 11, 2003. (This event has now been\n            reviewed by a seismologist)","play":[{"speech":"cmn"}]}'
at '2003-06-12 04:00:00' --cap "$DATA/spec-a3-earthquake.xml" --zone 430682
check "A.3 nothing to play: usage error" [ "$RC" = 1 ]
check "A.3 nothing to play: says why" err_has "nothing to play: the CAP alert has no Ogg Opus resource"

# --- A.4 AMBER alert: two languages -----------------------------------------
at '2003-06-12 06:00:00' --cap "$DATA/spec-a4-amber.xml" --zone 430682 --speech cmn
refused "A.4 two <info>" "2 <info> blocks (en-US, es-US): a warning has one text; pick one with --lang"
at '2003-06-12 06:00:00' --cap "$DATA/spec-a4-amber.xml" --zone 430682 --speech cmn --lang es-us
check "A.4 --lang es-US: the Spanish headline" out_is "$(cat <<'J'
{"v":1,"kind":"alert","id":"KAR0-0306112239-SW","sender":"KARO@CLETS.DOJ.CA.GOV","sent":1055397600,"status":"actual","type":"alert","event":"CAE","severity":2,"expires":1055401200,"zones":["430682"],"title":"Alerta Amber en el condado de Los Ángeles","text":"DATE/TIME: 06/11/03, 1915 HORAS. VÍCTIMAS: KHAYRI DOE JR. M/B BLK/BRO 3'0\", 40\n            LIBRAS. TEZ LIGERA. DOB 06/24/01. CORTOCIRCUITOS ROJOS QUE USAN, CAMISETA BLANCA, COLLAR DE\n            W/BLUE. LOCALIZACIÓN: 5721 DOE ST., LOS ÁNGELES. SOSPECHOSO: KHAYRI DOE ST. DOB 04/18/71 M/B,\n            PELO DEL NEGRO, OJO DE BRO. VEHÍCULO: 81' BUICK 2-DR, AZUL (4XXX000)","play":[{"speech":"cmn"}]}
J
)"
at '2003-06-12 06:00:00' --cap "$DATA/spec-a4-amber.xml" --zone 430682 --speech cmn --lang zh-CN
refused "A.4 --lang zh-CN" "no <info> in language zh-CN (there are: en-US, es-US)"

# --- real-world alerts --------------------------------------------------------
at '2021-12-27 17:00:00' --cap "$DATA/nws-blizzard-cap11.xml" --zone 430682 --siren air-raid
refused "NWS CAP 1.1" "nws-blizzard-cap11.xml:15: element <alert> in namespace 'urn:oasis:names:tc:emergency:cap:1.1': not a CAP 1.2 alert"
at '2019-12-13 21:00:00' --cap "$DATA/ipaws-local-emergency.xml" --zone 430682 --siren air-raid
check "IPAWS local emergency: exit 0" [ "$RC" = 0 ]
check "IPAWS: severity Extreme is 1 (red)" grep -q '"severity":1,' "$RIG/out"
check "IPAWS: XML signature noted" err_has "note: the XML signature is not checked"
at '2019-04-19 17:50:00' --cap "$DATA/ipaws-cancel.xml"
refused "IPAWS cancel without --zone" "ipaws-cancel.xml:1: <alert>: a Cancel without <info><area>: give the zones with --zone"
at '2019-04-19 17:50:00' --cap "$DATA/ipaws-cancel.xml" --zone 430682
check "IPAWS cancel body" out_is '{"v":1,"kind":"alert","id":"AS-NV-58d33e3a-1f9a-4909-9d59-34e90b33b3e8","sender":"bbrundage@dps.state.nv.us","sent":1555696200,"status":"actual","type":"cancel","ref":"AS-NV-e18921c7-1b35-4a81-9705-42d25c265ddd","expires":1555699800,"zones":["430682"]}'
at '2013-01-05 10:30:00' --cap "$DATA/ntwc-tsunami-cancel.xml" --zone 430682 --siren all-clear
check "NTWC tsunami update: the last reference" grep -q '"type":"update","ref":"PAAQ-3-mg5a94"' "$RIG/out"
check "NTWC: the references note" err_has "note: references lists 3 messages: the last, PAAQ-3-mg5a94"

# --- a township's alert with GB/T 2260 codes and a clip -----------------------
mkdir -p "$RIG/clips"
printf 'OggS stand-in for flood.opus\n' >"$RIG/clips/flood.opus"
SHA1=$(sha1sum "$RIG/clips/flood.opus" | cut -d' ' -f1)
SHA256=$(sha "$RIG/clips/flood.opus")
sed -e "s/@SHA1@/$SHA1/" -e "s/@EXPIRES@/2026-12-02T21:00:00+08:00/" "$DATA/cn-flood.xml.in" >"$RIG/cn.xml"
at '2026-12-02 10:05:00' --cap "$RIG/cn.xml" --clip-dir "$RIG/clips" --siren air-raid --volume 90
check "CN flood: exit 0" [ "$RC" = 0 ]
check "CN flood body: zones from geocodes, event code, siren then the pinned clip" out_is "{\"v\":1,\"kind\":\"alert\",\"id\":\"430682101-20261202-0001\",\"sender\":\"430682101\",\"sent\":1796205900,\"status\":\"actual\",\"type\":\"alert\",\"event\":\"11B03\",\"severity\":2,\"effective\":1796205600,\"expires\":1796216400,\"zones\":[\"430682101201\",\"430682101202\"],\"title\":\"山洪预警\",\"text\":\"东山村、西山村未来3小时有山洪风险。\\n\\n请立即向高处转移。\",\"play\":[{\"siren\":\"air-raid\"},{\"clip\":\"flood.opus\",\"sha256\":\"$SHA256\"}],\"volume\":90}"
check "CN flood: polygon dropped" err_has "note: geocodes of other schemes, polygons and circles dropped"
printf 'another file\n' >"$RIG/clips/flood.opus"
at '2026-12-02 10:05:00' --cap "$RIG/cn.xml" --clip-dir "$RIG/clips" --siren air-raid
refused "CN flood: clip not the one the digest names" "flood.opus: its SHA-1 is not the CAP <digest>"
rm "$RIG/clips/flood.opus"
at '2026-12-02 10:05:00' --cap "$RIG/cn.xml" --clip-dir "$RIG/clips" --siren air-raid
refused "CN flood: clip missing" "the CAP resource flood.opus:"

# --- broken ones ----------------------------------------------------------------
at '2003-06-17 22:00:00' --cap "$DATA/broken-not-xml.xml" --zone 430682 --siren air-raid
refused "not XML" "broken-not-xml.xml:1: Start tag expected"
at '2003-06-17 22:00:00' --cap "$DATA/broken-schema-severity.xml" --zone 430682 --siren air-raid
refused "schema violation" "broken-schema-severity.xml:14: Element '{urn:oasis:names:tc:emergency:cap:1.2}severity': [facet 'enumeration'] The value 'Catastrophic'"
at '2003-06-17 22:00:00' --cap "$DATA/broken-doctype.xml" --zone 430682 --siren air-raid
refused "DOCTYPE" "a DOCTYPE is not allowed"
at '2003-06-17 22:00:00' --cap "$DATA/broken-polygon-only.xml" --siren air-raid
refused "polygon only" "<area>: a polygon or circle without geocodes: nodes are addressed by zone code"
at '2003-06-17 22:00:00' --cap "$DATA/spec-a2-thunderstorm.xml" --zone 430682 --siren air-raid --severity 1
check "--severity with --cap: usage error" [ "$RC" = 1 ]
check "--severity with --cap: says why" err_has "--severity comes from the CAP file"

# --- show --cap: the body back as CAP 1.2, valid against the schema ---------------
printf 'OggS stand-in for flood.opus\n' >"$RIG/clips/flood.opus"
at '2026-12-02 10:05:00' --cap "$RIG/cn.xml" --clip-dir "$RIG/clips" --siren air-raid
cp "$RIG/out" "$RIG/body.json"
"$CTL" show --cap "$RIG/body.json" >"$RIG/show.xml" 2>"$RIG/err"
check "show --cap: exit 0" [ $? = 0 ]
check "show --cap: validates against CAP-v1.2.xsd (xmllint)" \
	xmllint --noout --schema "$TOP/common/CAP-v1.2.xsd" "$RIG/show.xml"
check "show --cap: the zones as GB/T 2260 geocodes" grep -q '<value>430682101202</value>' "$RIG/show.xml"
check "show --cap: the clip as an audio/ogg resource" grep -q '<uri>flood.opus</uri>' "$RIG/show.xml"
at '2026-12-02 10:05:00' --cap "$RIG/show.xml" --clip-dir "$RIG/clips" --siren air-raid
check "show --cap then warn --cap: the same body back" cmp -s "$RIG/out" "$RIG/body.json"
"$CTL" show --cap "$DATA/broken-not-xml.xml" >"$RIG/out" 2>"$RIG/err"
check "show --cap of a non-warning: exit 2" [ $? = 2 ]

# --- --dry-run without --cap: the body, no key read (none.pem does not exist) ---------
at '2026-12-02 10:05:00' --zone 430682101201 --event flood --severity 2 --siren air-raid \
	--id w-dry-1 --title 山洪预警
check "warn --dry-run: the body" out_is '{"v":1,"kind":"alert","id":"w-dry-1","sender":"township-101","sent":1796205900,"status":"actual","type":"alert","event":"flood","severity":2,"expires":1796209500,"zones":["430682101201"],"title":"山洪预警","play":[{"siren":"air-raid"}]}'
faketime -f '2026-12-02 10:05:00' "$CTL" cancel -c "$CONF" w-dry-1 --zone 430682101201 --id c-1 \
	--dry-run >"$RIG/out" 2>"$RIG/err"
check "cancel --dry-run: the body" out_is '{"v":1,"kind":"alert","id":"c-1","sender":"township-101","sent":1796205900,"status":"actual","type":"cancel","ref":"w-dry-1","expires":1796209500,"zones":["430682101201"]}'
finish
