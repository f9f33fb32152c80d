/* What the client's files share: the in-flight slot's state and flags. */
#ifndef BMQTT_CLIENT_INTERNAL_H
#define BMQTT_CLIENT_INTERNAL_H

#define WAIT_ACK 1u    /* PUBACK (QoS 1) or PUBREC (QoS 2) */
#define WAIT_COMP 2u   /* PUBCOMP, after PUBREL */
#define NEEDS_SEND 0x80u
#define F_SENT 0x01u   /* queued on some connection: a resend carries DUP */
#define F_OUTBOX 0x02u /* topic and payload are copies in the outbox */
#define NO_SLOT 0xFFFFu

/* c->journal operations (persist.h): what changed, and the slot or the packet id. */
#define J_PUBLISH 1u   /* slot: taken, id and seq set, state about to be WAIT_ACK; when this fails,
                        * the journal frees the slot's outbox copy (publish returns its status) */
#define J_RELEASE 2u   /* slot: PUBREC came, now WAIT_COMP */
#define J_DONE 3u      /* slot: ended */
#define J_QOS2_IN 4u   /* id: the application has taken this incoming QoS 2 message */
#define J_QOS2_OUT 5u  /* id: PUBREL came */
#define J_QOS2_CLEAR 6u /* CONNACK without a session: no id is kept */

#endif
