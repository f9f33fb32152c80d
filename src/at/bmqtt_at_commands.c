/*
 * The AT interpreter's command table (one handler per command), and the basic commands:
 * ATE0/ATE1, AT+RST, AT+GMR, AT+SYSLOG, AT+CIPSNTPCFG, AT+CIPSNTPTIME.
 */
#include <string.h>

#include "bmqtt/version.h"
#include "bmqtt_at_internal.h"

static void out_i32(bmqtt_at_t *at, int32_t v)
{
    if (v < 0) {
        bmqtt_at_outs(at, "-");
        bmqtt_at_out_u32(at, (uint32_t)0u - (uint32_t)v);
    } else {
        bmqtt_at_out_u32(at, (uint32_t)v);
    }
}

/* ATE0, ATE1: the command's own line is still echoed (at its end, before the answer). */
static void cmd_echo(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    at->echo = a->arg;
    bmqtt_at_reply_ok(at);
}

static void cmd_rst(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    (void)a;
    bmqtt_at_reply_ok(at);
    bmqtt_at_power_up(at);
    if (at->cfg->restart != NULL) {
        at->cfg->restart(at->cfg->user);
    }
    bmqtt_at_outs(at, "\r\nready\r\n");
}

static void cmd_gmr(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    (void)a;
    if (at->cfg->gmr != NULL) {
        bmqtt_at_outs(at, at->cfg->gmr);
    } else {
        bmqtt_at_outs(at, "AT version:bmqtt " BMQTT_VERSION " (ESP-AT MQTT command set)\r\n"
                          "SDK version:bmqtt " BMQTT_VERSION "\r\n"
                          "Bin version:" BMQTT_VERSION "\r\n");
    }
    bmqtt_at_reply_ok(at);
}

static void cmd_syslog(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    uint32_t v;
    if (a->form == F_QUERY) {
        bmqtt_at_outs(at, at->syslog ? "+SYSLOG:1\r\n" : "+SYSLOG:0\r\n");
        bmqtt_at_reply_ok(at);
        return;
    }
    if (a->count != 1u || !bmqtt_at_present(a, 0u) || bmqtt_at_parse_u32(&a->f[0], &v) != 0 || v > 1u) {
        bmqtt_at_reply_error(at);
        return;
    }
    at->syslog = (uint8_t)v;
    bmqtt_at_reply_ok(at);
}

static void sntpcfg_query(bmqtt_at_t *at)
{
    size_t i;
    bmqtt_at_outs(at, "+CIPSNTPCFG:");
    bmqtt_at_out_u32(at, at->sntp_enable);
    bmqtt_at_outs(at, ",");
    out_i32(at, at->sntp_tz_hhmm);
    for (i = 0u; i < 3u; i++) {
        if (at->sntp_servers[i][0] != '\0') {
            bmqtt_at_outs(at, ",\"");
            bmqtt_at_outs(at, at->sntp_servers[i]);
            bmqtt_at_outs(at, "\"");
        }
    }
    bmqtt_at_outs(at, "\r\n");
    bmqtt_at_reply_ok(at);
}

static void cmd_sntpcfg(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    uint32_t en, tz = 0u;
    int32_t z;
    size_t i, n[3] = { 0u, 0u, 0u };
    char *s[3] = { NULL, NULL, NULL };
    if (a->form == F_QUERY) {
        sntpcfg_query(at);
        return;
    }
    if (a->count > 5u || !bmqtt_at_present(a, 0u) || bmqtt_at_parse_u32(&a->f[0], &en) != 0 || en > 1u) {
        bmqtt_at_reply_error(at);
        return;
    }
    if (bmqtt_at_present(a, 1u) && bmqtt_at_parse_u32(&a->f[1], &tz) != 0) {
        bmqtt_at_reply_error(at);
        return;
    }
    z = (int32_t)tz;
    /* UTC offset in hours [-12, 14], or as +-HHMM [-1200, 1400] with minutes below 60. */
    if (!((z >= -12 && z <= 14) || (z >= -1200 && z <= 1400 && (z < 0 ? -z : z) % 100 < 60))) {
        bmqtt_at_reply_error(at);
        return;
    }
    for (i = 0u; i + 2u < a->n; i++) { /* at most 3: count <= 5 */
        if (bmqtt_at_parse_str(&a->f[2u + i], &s[i], &n[i]) != 0 || n[i] > 64u) {
            bmqtt_at_reply_error(at);
            return;
        }
    }
    at->sntp_enable = (uint8_t)en;
    at->sntp_tz_hhmm = (int16_t)z;
    memset(at->sntp_servers, 0, sizeof at->sntp_servers);
    for (i = 0u; i < 3u; i++) {
        if (s[i] != NULL) {
            memcpy(at->sntp_servers[i], s[i], n[i]);
        }
    }
    bmqtt_at_reply_ok(at);
}

static void two(char *p, uint32_t v)
{
    p[0] = (char)('0' + (char)(v / 10u % 10u));
    p[1] = (char)('0' + (char)(v % 10u));
}

/* +CIPSNTPTIME: in asctime()'s layout, "Thu Jan  1 00:00:00 1970", local time of the configured zone. */
static void cmd_sntptime(bmqtt_at_t *at, bmqtt_at_args_t *a)
{
    static const char wd[] = "ThuFriSatSunMonTueWed";
    static const char mo[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int64_t t = 0;
    int64_t days, rem;
    int32_t z = at->sntp_tz_hhmm, off;
    uint32_t y, m, d, doe, yoe, doy, mp;
    int64_t era, dd;
    char b[24];
    (void)a;
    if (at->sntp_enable && at->cfg->time_s != NULL) {
        t = at->cfg->time_s(at->cfg->user);
        if (t < 0) {
            t = 0;
        }
    }
    off = (z >= -12 && z <= 14) ? z * 3600 : (z / 100) * 3600 + (z % 100) * 60;
    t += off;
    days = t / 86400;
    rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    /* Civil date from days since 1970-01-01 (H. Hinnant's algorithm). */
    dd = days + 719468;
    era = dd / 146097; /* dd >= 0: the earliest time shown is 1969-12-31 10:00 */
    doe = (uint32_t)(dd - era * 146097);
    yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    mp = (5u * doy + 2u) / 153u;
    d = doy - (153u * mp + 2u) / 5u + 1u;
    m = mp < 10u ? mp + 3u : mp - 9u;
    y = (uint32_t)((int64_t)yoe + era * 400) + (m <= 2u ? 1u : 0u);
    memcpy(b, wd + 3 * (int)(((days % 7) + 7) % 7), 3u);
    b[3] = ' ';
    memcpy(b + 4, mo + 3u * (m - 1u), 3u);
    b[7] = ' ';
    b[8] = d < 10u ? ' ' : (char)('0' + (char)(d / 10u));
    b[9] = (char)('0' + (char)(d % 10u));
    b[10] = ' ';
    two(b + 11, (uint32_t)(rem / 3600));
    b[13] = ':';
    two(b + 14, (uint32_t)(rem / 60 % 60));
    b[16] = ':';
    two(b + 17, (uint32_t)(rem % 60));
    b[19] = ' ';
    bmqtt_at_outs(at, "+CIPSNTPTIME:");
    bmqtt_at_out(at, b, 20u);
    bmqtt_at_out_u32(at, y);
    bmqtt_at_outs(at, "\r\nOK\r\n"); /* no blank line before OK here, unlike the MQTT queries (as the firmware) */
}

/* ------------------------------------------------------------------------ */
/* The command table                                                        */
/* ------------------------------------------------------------------------ */

/* No command has the test form (AT+X=?). Names match whole and case-insensitively. */
const bmqtt_at_cmd_t bmqtt_at_commands[] = {
    { "E0", cmd_echo, FORM(F_EXEC), 0u },
    { "E1", cmd_echo, FORM(F_EXEC), 1u },
    { "+RST", cmd_rst, FORM(F_EXEC), 0u },
    { "+GMR", cmd_gmr, FORM(F_EXEC), 0u },
    { "+SYSLOG", cmd_syslog, FORM(F_SET) | FORM(F_QUERY), 0u },
    { "+CIPSNTPCFG", cmd_sntpcfg, FORM(F_SET) | FORM(F_QUERY), 0u },
    { "+CIPSNTPTIME", cmd_sntptime, FORM(F_QUERY), 0u },
    { "+MQTTUSERCFG", bmqtt_at_cmd_usercfg, FORM(F_SET), 0u },
    { "+MQTTLONGCLIENTID", bmqtt_at_cmd_long, FORM(F_SET), RAW_CLIENT_ID },
    { "+MQTTLONGUSERNAME", bmqtt_at_cmd_long, FORM(F_SET), RAW_USERNAME },
    { "+MQTTLONGPASSWORD", bmqtt_at_cmd_long, FORM(F_SET), RAW_PASSWORD },
    { "+MQTTCLIENTID", bmqtt_at_cmd_legacy, FORM(F_SET), RAW_CLIENT_ID },
    { "+MQTTUSERNAME", bmqtt_at_cmd_legacy, FORM(F_SET), RAW_USERNAME },
    { "+MQTTPASSWORD", bmqtt_at_cmd_legacy, FORM(F_SET), RAW_PASSWORD },
    { "+MQTTCONNCFG", bmqtt_at_cmd_conncfg, FORM(F_SET), 0u },
    { "+MQTTALPN", bmqtt_at_cmd_alpn, FORM(F_SET), 0u },
    { "+MQTTSNI", bmqtt_at_cmd_sni, FORM(F_SET), 0u },
    { "+MQTTCONN", bmqtt_at_cmd_conn, FORM(F_SET) | FORM(F_QUERY), 0u },
    { "+MQTTPUB", bmqtt_at_cmd_pub, FORM(F_SET), 0u },
    { "+MQTTPUBRAW", bmqtt_at_cmd_pubraw, FORM(F_SET), 0u },
    { "+MQTTSUB", bmqtt_at_cmd_sub, FORM(F_SET) | FORM(F_QUERY), 0u },
    { "+MQTTUNSUB", bmqtt_at_cmd_unsub, FORM(F_SET), 0u },
    { "+MQTTCLEAN", bmqtt_at_cmd_clean, FORM(F_SET), 0u },
};

const size_t bmqtt_at_command_count = sizeof bmqtt_at_commands / sizeof bmqtt_at_commands[0];
