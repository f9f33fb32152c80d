/* bmqtt_status_str() and BMQTT_STATUS_IS_PEER_ERROR (include/bmqtt/status.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/status.h"
#include "vectors.h"

/* Every value has its own non-empty string, and none of them reads "unknown". */
static void test_status_str_distinct_for_every_value(void **state)
{
    (void)state;
    assert_true(tv_all_statuses_count >= 35);
    for (size_t i = 0; i < tv_all_statuses_count; i++) {
        const char *s = bmqtt_status_str((bmqtt_status_t)tv_all_statuses[i]);
        assert_non_null(s);
        if (s[0] == '\0' || strstr(s, "unknown") != NULL || strstr(s, "Unknown") != NULL)
            fail_msg("%s has no proper string: \"%s\"", tv_status_name(tv_all_statuses[i]), s);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s, bmqtt_status_str((bmqtt_status_t)tv_all_statuses[j])) == 0)
                fail_msg("%s and %s share the string \"%s\"", tv_status_name(tv_all_statuses[i]),
                         tv_status_name(tv_all_statuses[j]), s);
    }
}

/* Values outside the enum still give a static string, never NULL ("any value, known or not"). */
static void test_status_str_unknown_values(void **state)
{
    (void)state;
    static const int odd[] = { 1, 7, -6, -9, -27, -40, -46, -999, 0x7FFFFFFF, -0x7FFFFFFF };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        const char *s = bmqtt_status_str((bmqtt_status_t)odd[i]);
        assert_non_null(s);
        assert_true(s[0] != '\0');
        for (size_t j = 0; j < tv_all_statuses_count; j++) /* not mistaken for a known value */
            assert_string_not_equal(s, bmqtt_status_str((bmqtt_status_t)tv_all_statuses[j]));
    }
}

/* Values are part of the ABI: spot-check the documented numbers. */
static void test_status_values_stable(void **state)
{
    (void)state;
    assert_int_equal(BMQTT_OK, 0);
    assert_int_equal(BMQTT_NEED_MORE, -1);
    assert_int_equal(BMQTT_ERR_BAD_TYPE, -10);
    assert_int_equal(BMQTT_ERR_PACKET_TOO_LARGE, -26);
    /* As wide as int on every ABI, also with short enums (arm-none-eabi). */
    assert_int_equal(sizeof(bmqtt_status_t), sizeof(int));
    for (int code = 1; code <= 5; code++) { /* CONNACK refusals are -40 - return code */
        const char *name = tv_status_name(-40 - code);
        assert_non_null(name);
        assert_non_null(strstr(name, "REFUSED"));
    }
    for (size_t i = 1; i < tv_all_statuses_count; i++) assert_true(tv_all_statuses[i] < 0);
}

/* Peer errors are exactly the malformed/protocol range -10..-26. */
static void test_status_is_peer_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < tv_all_statuses_count; i++) {
        int s = tv_all_statuses[i];
        int want = s <= -10 && s >= -26;
        assert_int_equal(BMQTT_STATUS_IS_PEER_ERROR(s) ? 1 : 0, want);
    }
}

/* A layer registers the names of its own range; the core's names never change. */
static const char *demo_name(int status)
{
    return status == BMQTT_STATUS_USER_BASE ? "demo: first" : NULL;
}

static void test_status_register_layer_range(void **state)
{
    static bmqtt_status_names_t demo = { BMQTT_STATUS_USER_BASE, BMQTT_STATUS_USER_BASE - 9, demo_name, "demo error",
                                         NULL };
    static bmqtt_status_names_t core_grab = { -1, -69, demo_name, "grab", NULL };
    (void)state;
    assert_string_equal(bmqtt_status_str((bmqtt_status_t)BMQTT_STATUS_USER_BASE), "unknown status");
    bmqtt_status_register(&demo);
    bmqtt_status_register(&demo); /* twice: no loop in the list */
    bmqtt_status_register(NULL);
    bmqtt_status_register(&core_grab); /* the core's range is refused */
    assert_string_equal(bmqtt_status_str((bmqtt_status_t)BMQTT_STATUS_USER_BASE), "demo: first");
    assert_string_equal(bmqtt_status_str((bmqtt_status_t)(BMQTT_STATUS_USER_BASE - 3)), "demo error");
    assert_string_equal(bmqtt_status_str((bmqtt_status_t)(BMQTT_STATUS_USER_BASE - 10)), "unknown status");
    assert_string_equal(bmqtt_status_str(BMQTT_ERR_CLOSED), "connection closed by peer");
    assert_string_equal(bmqtt_status_str((bmqtt_status_t)-27), "unknown status");
    assert_string_equal(bmqtt_status_str((bmqtt_status_t)BMQTT_STATUS_TLS_BASE), "unknown status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_str_distinct_for_every_value),
        cmocka_unit_test(test_status_str_unknown_values),
        cmocka_unit_test(test_status_values_stable),
        cmocka_unit_test(test_status_is_peer_error),
        cmocka_unit_test(test_status_register_layer_range),
    };
    return cmocka_run_group_tests_name("status strings", tests, NULL, NULL);
}
