/*
 * What the files of the AT interpreter (include/bmqtt/at.h) share; not installed.
 *
 *   bmqtt_at_reader.c    bytes to lines, a line to a command, its form and parameters; output
 *   bmqtt_at_commands.c  the command table, and the basic commands (ATE, RST, GMR, SYSLOG, SNTP)
 *   bmqtt_at_mqtt.c      the AT+MQTT* commands
 *   bmqtt_at_urc.c       the client's events as URCs and answers; opening and connecting
 *   bmqtt_at_session.c   init, reset, poll, deadlines, the tracked topics
 *
 * The bytes, codes and state rules follow Espressif's ESP-AT firmware as it behaves, not only
 * as it is documented; docs/AT.md lists where bmqtt differs on purpose.
 */
#ifndef BMQTT_AT_INTERNAL_H
#define BMQTT_AT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/at.h"

/* Input modes. */
enum { MODE_LINE = 0, MODE_RAW };
/* What a prompt's raw bytes are for. */
enum { RAW_CLIENT_ID = 1, RAW_USERNAME, RAW_PASSWORD, RAW_PUB };
/* What the running command waits for (0: nothing: lines are commands). */
enum { W_NONE = 0, W_START, W_OPEN, W_CONN, W_PUB, W_PUB0, W_RAW, W_RAW0, W_SUB, W_UNSUB, W_CLEAN };
/* Who drives the client: nobody, the AT layer, or bmqtt_reconnect_* (reconnect=1). */
enum { S_NONE = 0, S_DIRECT, S_RECONNECT };

#define AT_DEFAULT_TIMEOUT_MS 15000u
#define AT_CLEAN_TIMEOUT_MS 5000u
#define AT_MAX_FIELDS 12u

/* ESP-AT's error numbers: 0x01 << 24 | sub << 16 | ext. */
#define ERR_SUB_PARAM 0x0108u
#define ERR_SUB_UNKNOWN 0x0109u
#define ERR_SUB_BUSY 0x010bu
#define ERR_SUB_MQTT 0x010au

/* The MQTT ext codes used here (esp-at's AT_MQTT_* table). */
enum {
    E_NO_CONFIGURED = 0x6001, E_NOT_IN_CONFIGURED_STATE = 0x6002, E_UNINITIATED_OR_CLEAN = 0x6003,
    E_ALREADY_CONNECTED = 0x6004, E_MALLOC_FAILED = 0x6005, E_NULL_LINK = 0x6006, E_NULL_PARAMETER = 0x6007,
    E_PARAM_COUNT = 0x6008, E_CLIENT_START = 0x600B, E_PUBLISH_FAILED = 0x600C, E_SUBSCRIBE_FAILED = 0x600D,
    E_UNSUBSCRIBE_FAILED = 0x600E, E_LINK_READ = 0x6010, E_LINK_VALUE = 0x6011, E_SCHEME_READ = 0x6012,
    E_SCHEME_VALUE = 0x6013, E_CLIENT_ID_READ = 0x6014, E_CLIENT_ID_OVERLENGTH = 0x6016,
    E_USERNAME_READ = 0x6017, E_USERNAME_OVERLENGTH = 0x6019, E_PASSWORD_READ = 0x601A,
    E_PASSWORD_OVERLENGTH = 0x601C, E_CERT_KEY_ID_READ = 0x601D, E_CERT_KEY_ID_VALUE = 0x601E,
    E_CA_ID_READ = 0x601F, E_CA_ID_VALUE = 0x6020, E_PATH_READ = 0x6027, E_PATH_OVERLENGTH = 0x6029,
    E_KEEPALIVE_READ = 0x602B, E_KEEPALIVE_VALUE = 0x602D, E_CLEAN_READ = 0x602E, E_CLEAN_VALUE = 0x602F,
    E_LWT_TOPIC_READ = 0x6030, E_LWT_TOPIC_OVERLENGTH = 0x6032, E_LWT_MSG_READ = 0x6033,
    E_LWT_MSG_OVERLENGTH = 0x6035, E_LWT_QOS_READ = 0x6036, E_LWT_QOS_VALUE = 0x6037,
    E_LWT_RETAIN_READ = 0x6038, E_LWT_RETAIN_VALUE = 0x6039, E_HOST_READ = 0x603A, E_HOST_NULL = 0x603B,
    E_HOST_OVERLENGTH = 0x603C, E_PORT_READ = 0x603D, E_PORT_VALUE = 0x603E, E_RECONNECT_READ = 0x603F,
    E_RECONNECT_VALUE = 0x6040, E_TOPIC_READ = 0x6041, E_TOPIC_NULL = 0x6042, E_TOPIC_OVERLENGTH = 0x6043,
    E_DATA_READ = 0x6044, E_DATA_NULL = 0x6045, E_DATA_OVERLENGTH = 0x6046, E_QOS_READ = 0x6047,
    E_QOS_VALUE = 0x6048, E_RETAIN_READ = 0x6049, E_RETAIN_VALUE = 0x604A, E_PUBLISH_LENGTH_READ = 0x604B,
    E_PUBLISH_LENGTH_VALUE = 0x604C, E_IN_DISCONNECTED_STATE = 0x6051, E_HOSTNAME_VERIFY = 0x6052,
    E_TIMEOUT_READ = 0x6053, E_TIMEOUT_VALUE = 0x6054, E_DNS = 0x6055, E_CONNECT_TIMEOUT = 0x6057
};

/* One parameter: its text in the line, unescaped in place when read as a string. */
typedef struct field {
    char *p;
    size_t len;
} field_t;

/* A command line, parsed: its form, the table entry's argument, its parameters (set form only). */
typedef struct bmqtt_at_args {
    field_t f[AT_MAX_FIELDS];
    size_t n;     /* fields kept in f (at most AT_MAX_FIELDS) */
    size_t count; /* fields in the line (more than n when there are too many to keep) */
    uint8_t form; /* F_EXEC, F_QUERY or F_SET: one the command has */
    uint8_t arg;  /* bmqtt_at_cmd_t::arg */
} bmqtt_at_args_t;

/* The forms of a command line: AT+X, AT+X?, AT+X=..., AT+X=? (0: none of them). */
enum { F_EXEC = 1, F_QUERY, F_SET, F_TEST };
#define FORM(f) (1u << (f))

/* One command: its name after "AT" (upper case), the forms it has, one handler for all of them. */
typedef void (*bmqtt_at_handler_t)(bmqtt_at_t *at, bmqtt_at_args_t *a);
typedef struct bmqtt_at_cmd {
    const char *name;
    bmqtt_at_handler_t run;
    uint8_t forms; /* FORM(F_...) bits; any other form answers ERROR */
    uint8_t arg;   /* passed in bmqtt_at_args_t::arg (E0/E1, which credential...) */
} bmqtt_at_cmd_t;

/* bmqtt_at_commands.c */
extern const bmqtt_at_cmd_t bmqtt_at_commands[];
extern const size_t bmqtt_at_command_count;

/* bmqtt_at_reader.c: output (no answer is ever split by another) and parameters */
void bmqtt_at_out(bmqtt_at_t *at, const char *s, size_t n);
void bmqtt_at_outs(bmqtt_at_t *at, const char *s);
void bmqtt_at_out_u32(bmqtt_at_t *at, uint32_t v);
void bmqtt_at_err_code(bmqtt_at_t *at, uint32_t code);
void bmqtt_at_reply_ok(bmqtt_at_t *at);
void bmqtt_at_reply_error(bmqtt_at_t *at);
void bmqtt_at_fail(bmqtt_at_t *at, int idx, uint16_t code);
int bmqtt_at_present(const bmqtt_at_args_t *a, size_t i);
int bmqtt_at_parse_u32(const field_t *f, uint32_t *v);
int bmqtt_at_parse_str(field_t *f, char **s, size_t *len);

/* bmqtt_at_session.c */
bmqtt_status_t bmqtt_at_client_init(bmqtt_at_t *at);
void bmqtt_at_mqtt_reset(bmqtt_at_t *at);
void bmqtt_at_power_up(bmqtt_at_t *at);
int bmqtt_at_sub_find(const bmqtt_at_t *at, const char *t, size_t n);
void bmqtt_at_sub_track(bmqtt_at_t *at, const char *t, size_t n, uint8_t qos);
size_t bmqtt_at_sub_count(const bmqtt_at_t *at);

/* bmqtt_at_urc.c */
void bmqtt_at_on_event(void *user, const bmqtt_event_t *ev);
void bmqtt_at_out_target(bmqtt_at_t *at);
void bmqtt_at_conn_fail(bmqtt_at_t *at, uint16_t code);
void bmqtt_at_wait_done(bmqtt_at_t *at, int good);
void bmqtt_at_resubscribe(bmqtt_at_t *at);
void bmqtt_at_direct_open(bmqtt_at_t *at);
void bmqtt_at_conn_start(bmqtt_at_t *at);

/* bmqtt_at_mqtt.c: the handlers of the AT+MQTT* commands, and the end of a '>' prompt's data */
void bmqtt_at_cmd_usercfg(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_long(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_legacy(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_conncfg(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_alpn(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_sni(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_conn(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_pub(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_pubraw(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_sub(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_unsub(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_cmd_clean(bmqtt_at_t *at, bmqtt_at_args_t *a);
void bmqtt_at_raw_done(bmqtt_at_t *at);

#endif /* BMQTT_AT_INTERNAL_H */
