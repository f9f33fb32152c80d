/* A firmware that only computes Aliyun credentials: what `make cloud-size`
 * links with --gc-sections to count the cloud layer's share of it. */
#include <stddef.h>

#include "bmqtt/aliyun.h"

int main(void);

int main(void)
{
    static char buf[BMQTT_ALIYUN_CREDENTIALS_MAX];
    bmqtt_aliyun_device_t dev = { 0 };
    bmqtt_connect_t out;
    size_t len;
    return (int)bmqtt_aliyun_credentials(&dev, buf, sizeof buf, &len, &out);
}
