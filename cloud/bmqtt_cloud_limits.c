/* Cloud limits (include/bmqtt/cloud.h): checks that report, never adjust. */
#include "bmqtt/cloud.h"
#include "bmqtt_cloud_internal.h"

const bmqtt_cloud_limits_t bmqtt_cloud_limits_aliyun = { 30u, 1200u, 1u, 0u, 0u };
const bmqtt_cloud_limits_t bmqtt_cloud_limits_aws = { 30u, 1200u, 1u, 1u, 1u };

bmqtt_status_t bmqtt_cloud_check_connect(const bmqtt_cloud_limits_t *lim, const bmqtt_connect_t *c)
{
    bmqtt_cloud_names();
    if (lim == NULL || c == NULL) return BMQTT_ERR_PARAM;
    if (c->keepalive_s < lim->keepalive_min_s || (lim->keepalive_max_s != 0u && c->keepalive_s > lim->keepalive_max_s))
        return BMQTT_ERR_CLOUD_KEEPALIVE;
    if (c->will_topic.ptr != NULL) {
        if (!lim->will) return BMQTT_ERR_CLOUD_WILL;
        if (c->will_qos > lim->max_qos) return BMQTT_ERR_CLOUD_QOS;
        if (c->will_retain && !lim->retain) return BMQTT_ERR_CLOUD_RETAIN;
    }
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_cloud_check_publish(const bmqtt_cloud_limits_t *lim, const bmqtt_publish_t *p)
{
    bmqtt_cloud_names();
    if (lim == NULL || p == NULL) return BMQTT_ERR_PARAM;
    if (p->qos > lim->max_qos) return BMQTT_ERR_CLOUD_QOS;
    if (p->retain && !lim->retain) return BMQTT_ERR_CLOUD_RETAIN;
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_cloud_check_subscribe(const bmqtt_cloud_limits_t *lim, const bmqtt_subscription_t *subs,
                                           size_t count)
{
    bmqtt_cloud_names();
    if (lim == NULL || (subs == NULL && count != 0u)) return BMQTT_ERR_PARAM;
    for (size_t i = 0; i < count; i++) {
        if (subs[i].qos > lim->max_qos) return BMQTT_ERR_CLOUD_QOS;
    }
    return BMQTT_OK;
}
