/*
 * config_keys: node.conf's plain keys (config_keys.h).
 */
#include "common/config.h"
#include "common/config_keys.h"
#include "common/replay.h"

#define F(field) offsetof(struct node_config, field), sizeof(((struct node_config *)0)->field)
const struct kdef kdefs[] = {
	{ "node", "id", K_NODEID, F(id), 0, 0, 1, 1 },
	{ "node", "zone", K_ZONE, F(zone), 0, 0, 1, 1 },
	{ "node", "state_dir", K_PATH, F(state_dir), 0, 0, 1, 1 },
	{ "node", "clip_dir", K_PATH, F(clip_dir), 0, 0, 1, 1 },
	{ "node", "clock_skew_s", K_INT, F(clock_skew_s), 0, 86400, 0, 0 },
	{ "node", "max_lifetime_s", K_INT, F(max_lifetime_s), 60, 31536000, 0, 0 },
	{ "node", "volume", K_INT, F(volume), 1, 100, 0, 0 },
	{ "node", "drill_siren", K_BOOL, F(drill_siren), 0, 0, 0, 0 },
	{ "node", "clock_sync", K_CLOCKSYNC, F(clock_sync), 0, 0, 0, 1 },
	{ "node", "heartbeat_s", K_INT, F(heartbeat_s), 10, 3600, 0, 1 },
	{ "node", "ack_window_s", K_INT, F(ack_window_s), 0, 86400, 0, 0 },
	{ "mqtt", "host", K_STR, F(host), 0, 0, 0, 1 },
	{ "mqtt", "port", K_INT, F(port), 1, 65535, 0, 1 },
	{ "mqtt", "username", K_STR, F(username), 0, 0, 0, 1 },
	{ "mqtt", "password", K_STR, F(password), 0, 0, 0, 1 },
	{ "mqtt", "password_file", K_PATH, F(password_file), 0, 0, 0, 1 },
	{ "mqtt", "prefix", K_PREFIX, F(prefix), 0, 0, 0, 1 },
	{ "mqtt", "tls_ca", K_PATH, F(tls_ca), 0, 0, 0, 1 },
	{ "mqtt", "keepalive_s", K_INT, F(keepalive_s), 5, 65535, 0, 1 },
	{ "mqtt", "session_expiry_s", K_INT, F(session_expiry_s), 0, 4294967295LL, 0, 1 },
	{ "mqtt", "reconnect_max_s", K_INT, F(reconnect_max_s), 1, 3600, 0, 1 },
	{ "gpio", "device", K_GPIODEV, F(gpio_device), 0, 0, 1, 1 },
	{ "gpio", "amp", K_STR, F(amp_line), 0, 0, 1, 1 },
	{ "gpio", "siren", K_STR, F(siren_line), 0, 0, 0, 1 },
	{ "gpio", "amp_feedback", K_STR, F(amp_feedback_line), 0, 0, 0, 1 },
	{ "gpio", "active_low", K_BOOL, F(active_low), 0, 0, 0, 1 },
	{ "gpio", "mains_line", K_STR, F(mains_line), 0, 0, 0, 1 },
	{ "gpio", "battery_low_line", K_STR, F(battery_low_line), 0, 0, 0, 1 },
	{ "gpio", "amp_fault_line", K_STR, F(amp_fault_line), 0, 0, 0, 1 },
	{ "gpio", "door_line", K_STR, F(door_line), 0, 0, 0, 1 },
	{ "gpio", "local_button_line", K_STR, F(local_button_line), 0, 0, 0, 1 },
	{ "gpio", "ack_button_line", K_STR, F(ack_button_line), 0, 0, 0, 1 },
	{ "gpio", "siren_feedback_line", K_STR, F(siren_feedback_line), 0, 0, 0, 1 },
	{ "gpio", "input_active_low", K_ROLES, F(input_active_low), 0, 0, 0, 1 },
	{ "audio", "device", K_AUDIODEV, F(audio_device), 0, 0, 1, 1 },
	{ "audio", "warmup_ms", K_INT, F(warmup_ms), 0, 60000, 0, 0 },
	{ "audio", "hold_ms", K_INT, F(hold_ms), 0, 60000, 0, 0 },
	{ "audio", "max_on_s", K_INT, F(max_on_s), 1, 86400, 0, 0 },
	{ "audio", "siren_output", K_SIRENOUT, F(siren_output), 0, 0, 0, 0 },
	{ "audio", "output_offset_ms", K_MS3, F(output_offset_us), -1000, 1000, 0, 0 },
	{ "audio", "stream_timeout_ms", K_INT, F(stream_timeout_ms), 100, 60000, 0, 0 },
	{ "audio", "stream_queue_ms", K_INT, F(stream_queue_ms), 20, 1000, 0, 0 },
	{ "audio", "stream_max_ahead_ms", K_INT, F(stream_max_ahead_ms), 1000, 600000, 0, 0 },
	{ "limits", "max_message", K_INT, F(max_message), 256, 65536, 0, 0 },
	{ "limits", "replay_actual", K_INT, F(replay_actual), REPLAY_CAP_MIN, REPLAY_CAP_MAX, 0, 1 },
	{ "limits", "replay_exercise", K_INT, F(replay_exercise), REPLAY_CAP_MIN, REPLAY_CAP_MAX, 0, 1 },
	{ "limits", "replay_test", K_INT, F(replay_test), REPLAY_CAP_MIN, REPLAY_CAP_MAX, 0, 1 },
	{ "limits", "reject_receipts_per_min", K_INT, F(reject_receipts_per_min), 0, 1000, 0, 1 },
	{ "limits", "spool_max", K_INT, F(spool_max), 1, 1000000, 0, 1 },
	{ "limits", "quiet_hours", K_QUIET, F(quiet), 0, 0, 0, 0 },
	{ "limits", "volume_night", K_INT, F(volume_night), 1, 100, 0, 0 },
	{ "limits", "volume_drill", K_INT, F(volume_drill), 1, 100, 0, 0 },
	{ "limits", "max_drill_s", K_INT, F(max_drill_s), 0, 86400, 0, 0 },
	{ "limits", "max_routine_s", K_INT, F(max_routine_s), 0, 86400, 0, 0 },
	{ "limits", "max_routine_day_s", K_INT, F(max_routine_day_s), 0, 86400, 0, 0 },
	{ "local", "activation", K_ACTIVATION, F(local_item), 0, 0, 0, 0 },
	{ "local", "severity", K_INT, F(local_severity), 1, 4, 0, 0 },
	{ "local", "layer", K_LAYER, F(local_layer), 0, 0, 0, 0 },
	{ "local", "level", K_LEVEL, F(local_level), 0, 0, 0, 0 },
};
#undef F

const size_t nkdefs = sizeof(kdefs) / sizeof(kdefs[0]);
_Static_assert(sizeof(kdefs) / sizeof(kdefs[0]) <= CFG_MAX_KEYS,
    "struct node_config key_line too small");
