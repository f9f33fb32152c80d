/* What the client's files share: the in-flight slot's state and flags. */
#ifndef BMQTT_CLIENT_INTERNAL_H
#define BMQTT_CLIENT_INTERNAL_H

#define WAIT_ACK 1u    /* PUBACK (QoS 1) or PUBREC (QoS 2) */
#define WAIT_COMP 2u   /* PUBCOMP, after PUBREL */
#define NEEDS_SEND 0x80u
#define F_SENT 0x01u   /* queued on some connection: a resend carries DUP */
#define F_OUTBOX 0x02u /* topic and payload are copies in the outbox */
#define NO_SLOT 0xFFFFu

#endif
