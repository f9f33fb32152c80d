/* bmqtt-cli --session-file (cli_session.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmqtt/persist.h"
#include "cli_session.h"

/* Room for the topics and payloads of the messages open at once (a sparse file). */
#define SESSION_DATA (1u << 20)

int cli_session_open(const char *path, bmqtt_client_t *c, int debug)
{
    const bmqtt_client_config_t *cfg = c->cfg;
    size_t size = BMQTT_RETAINED_SIZE(cfg->inflight_count, cfg->qos2_count, SESSION_DATA);
    struct stat sb;
    void *mem;
    bmqtt_status_t st;
    int fd = open(path, O_RDWR | O_CREAT, 0600);

    if (fd < 0 || fstat(fd, &sb) != 0 || ((size_t)sb.st_size != size && ftruncate(fd, (off_t)size) != 0)) {
        fprintf(stderr, "bmqtt-cli: cannot use the session file %s\n", path);
        if (fd >= 0) close(fd);
        return -1;
    }
    mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (mem == MAP_FAILED) {
        fprintf(stderr, "bmqtt-cli: cannot map the session file %s\n", path);
        return -1;
    }
    st = bmqtt_client_resume(c, mem, size);
    if (st == BMQTT_OK) {
        if (debug) fprintf(stderr, "session file %s: resumed, %u messages open\n", path, (unsigned)bmqtt_client_inflight(c));
    } else if (st == BMQTT_ERR_NO_SESSION) {
        if (debug) fprintf(stderr, "session file %s: new session\n", path);
    } else if (st < 0 && st >= BMQTT_ERR_STORE && st <= BMQTT_STATUS_PERSIST_BASE) {
        /* Another --inflight, or a damaged file: said, and started afresh. */
        fprintf(stderr, "bmqtt-cli: session file %s not resumed (%s): a new session\n", path, bmqtt_status_str(st));
    } else {
        fprintf(stderr, "bmqtt-cli: session file %s: %s\n", path, bmqtt_status_str(st));
        return -1;
    }
    return 0;
}

int cli_session_printed(const bmqtt_message_t *m, int verbose, int no_newline)
{
    struct stat sb;
    size_t want = m->payload.len + (verbose ? m->topic.len + 1u : 0u) + (no_newline ? 0u : 1u);
    char buf[4096];
    off_t at;

    fflush(stdout);
    if (m->offset != 0 || m->payload.len != m->total || fstat(STDOUT_FILENO, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        want > sizeof buf || (off_t)want > sb.st_size) {
        return 0; /* not checkable: printed again */
    }
    at = sb.st_size - (off_t)want;
    if (pread(STDOUT_FILENO, buf, want, at) != (ssize_t)want) return 0;
    if (verbose && (memcmp(buf, m->topic.ptr, m->topic.len) != 0 || buf[m->topic.len] != ' ')) return 0;
    return memcmp(buf + (verbose ? m->topic.len + 1u : 0u), m->payload.ptr, m->payload.len) == 0 &&
           (no_newline || buf[want - 1] == '\n');
}
