# broker_debian_conf DIR NPORT OPORT [LPORT]: the broker as an administrator
# sets it up, for tests and the demo.  DIR/mosquitto.conf is a copy of
# Debian's /etc/mosquitto/mosquitto.conf with its paths (pid file,
# persistence, log) in DIR, reading DIR/conf.d/ where the shipped drop-in
# (firmware-config/broker/cunxiang.conf) goes with its node and operator
# listeners on NPORT and OPORT (loopback), passwords and ACL in DIR
# (nodes.passwd, operators.passwd, acl).  Without LPORT: no TLS and no
# hub loopback listener; with it: TLS kept (DIR/broker.crt, DIR/broker.key)
# and the hub's listener on LPORT.  Sourced by lib.sh and tests/demo/demo.sh.
CX_DROPIN=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/firmware-config/broker/cunxiang.conf
broker_debian_conf() {
	local dir=$1 nport=$2 oport=$3 lport=${4:-} notls=()
	[ -n "$lport" ] || notls=(-e '/^# the hub on this machine/,/^$/d' -e '/^certfile /d' -e '/^keyfile /d')
	mkdir -p "$dir/conf.d" "$dir/broker-db" "$dir/run"
	sed -e "s|^pid_file .*|pid_file $dir/run/mosquitto.pid|" \
	    -e "s|^persistence_location .*|persistence_location $dir/broker-db/|" \
	    -e "s|^log_dest file .*|log_dest file $dir/broker.log|" \
	    -e "s|^include_dir .*|include_dir $dir/conf.d|" \
	    /etc/mosquitto/mosquitto.conf > "$dir/mosquitto.conf"
	sed "${notls[@]}" \
	    -e "s|^listener 8883$|listener $nport 127.0.0.1|" \
	    -e "s|^listener 8884$|listener $oport 127.0.0.1|" \
	    -e "s|^listener 1884 127.0.0.1$|listener $lport 127.0.0.1|" \
	    -e "s|/etc/mosquitto/certs/cunxiang-broker|$dir/broker|" \
	    -e "s|/etc/mosquitto/cunxiang-nodes.passwd|$dir/nodes.passwd|" \
	    -e "s|/etc/mosquitto/cunxiang-operators.passwd|$dir/operators.passwd|" \
	    -e "s|/etc/mosquitto/cunxiang.acl|$dir/acl|" \
	    "$CX_DROPIN" > "$dir/conf.d/cunxiang.conf"
	# the broker drops to user mosquitto
	touch "$dir/broker.log"; chmod 666 "$dir/broker.log"; chmod 777 "$dir/broker-db" "$dir/run"
	chmod 755 "$dir/conf.d"; chmod 644 "$dir/conf.d/cunxiang.conf"
}
