/* BMQTT_VIEW (an expression, so it can be passed as an argument), BMQTT_VIEW_LIT
 * (an initialiser) and bmqtt_view_str() (a char pointer) give the same views. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/codec.h"
#include "bmqtt/topic.h"

/* Takes views by value, as the cloud layer's functions do. */
static size_t total_len(bmqtt_view_t a, bmqtt_view_t b)
{
    return a.len + b.len;
}

static void test_view_is_an_expression(void **state)
{
    bmqtt_view_t v;
    (void)state;
    assert_int_equal(total_len(BMQTT_VIEW("a/b"), BMQTT_VIEW("")), 3);
    v = BMQTT_VIEW("sensors/t1");
    assert_int_equal(v.len, 10);
    assert_memory_equal(v.ptr, "sensors/t1", 10);
    v = BMQTT_VIEW("");
    assert_non_null(v.ptr); /* present but empty, unlike bmqtt_view_str(NULL) */
    assert_int_equal(v.len, 0);
}

static void test_view_counts_embedded_nul(void **state)
{
    /* sizeof, not strlen: a binary payload literal keeps every byte. */
    bmqtt_view_t v = BMQTT_VIEW("a\0b");
    (void)state;
    assert_int_equal(v.len, 3);
    assert_int_equal(v.ptr[1], 0);
    assert_int_equal(v.ptr[2], 'b');
}

static void test_view_forms_agree(void **state)
{
    static const char *const topic = "sensors/t1";
    const bmqtt_view_t lit = BMQTT_VIEW_LIT("sensors/t1");
    bmqtt_view_t expr = BMQTT_VIEW("sensors/t1");
    bmqtt_view_t str = bmqtt_view_str(topic);
    (void)state;
    assert_int_equal(expr.len, lit.len);
    assert_int_equal(str.len, lit.len);
    assert_memory_equal(expr.ptr, lit.ptr, lit.len);
    assert_memory_equal(str.ptr, lit.ptr, lit.len);
}

static void test_view_in_a_publish_encodes_the_bytes_MQTT_3_3(void **state)
{
    /* QoS 1 PUBLISH "a/b" id 7 payload "hi": 32 09 00 03 'a' '/' 'b' 00 07 'h' 'i' */
    static const uint8_t want[] = { 0x32, 0x09, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x07, 'h', 'i' };
    uint8_t buf[32];
    size_t n = 0;
    bmqtt_publish_t pub;
    (void)state;
    memset(&pub, 0, sizeof pub);
    pub.topic = BMQTT_VIEW("a/b");
    pub.payload = BMQTT_VIEW("hi");
    pub.qos = 1;
    pub.packet_id = 7;
    assert_int_equal(bmqtt_publish_encode(&pub, buf, sizeof buf, &n), BMQTT_OK);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    /* A view expression straight into a checker. */
    assert_int_equal(bmqtt_topic_name_check(BMQTT_VIEW("a/+").ptr, 3), BMQTT_ERR_BAD_TOPIC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_is_an_expression),
        cmocka_unit_test(test_view_counts_embedded_nul),
        cmocka_unit_test(test_view_forms_agree),
        cmocka_unit_test(test_view_in_a_publish_encodes_the_bytes_MQTT_3_3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
