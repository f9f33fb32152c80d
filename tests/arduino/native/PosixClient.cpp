#include "PosixClient.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int PosixClient::connect(IPAddress ip, uint16_t port)
{
    char host[16];
    snprintf(host, sizeof host, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
    return connect(host, port);
}

int PosixClient::connect(const char *host, uint16_t port)
{
    struct addrinfo hints, *res = NULL;
    char service[8];
    stop();
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof service, "%u", port);
    if (getaddrinfo(host, service, &hints, &res) != 0) return -2;
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        int s = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (s < 0) continue;
        if (::connect(s, a->ai_addr, a->ai_addrlen) == 0) {
            int one = 1;
            setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            fd = s;
            break;
        }
        close(s);
    }
    freeaddrinfo(res);
    peer_closed = false;
    return fd >= 0 ? 1 : -1;
}

size_t PosixClient::write(const uint8_t *buf, size_t size)
{
    size_t done = 0;
    if (fd < 0) return 0;
    while (done < size) {
        ssize_t n = send(fd, buf + done, size - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { peer_closed = true; break; }
        done += (size_t)n;
    }
    if (done) writes++;
    return done;
}

int PosixClient::available()
{
    int n = 0;
    if (fd < 0) return 0;
    if (ioctl(fd, FIONREAD, &n) < 0) return 0;
    if (n == 0) {
        /* Nothing buffered: has the peer closed? (a zero-byte peek says so) */
        uint8_t b;
        ssize_t r = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) peer_closed = true;
    }
    return n;
}

int PosixClient::read()
{
    uint8_t b;
    return read(&b, 1) == 1 ? b : -1;
}

int PosixClient::read(uint8_t *buf, size_t size)
{
    if (fd < 0) return -1;
    ssize_t n = recv(fd, buf, size, MSG_DONTWAIT);
    if (n == 0) peer_closed = true;
    if (n <= 0) return -1;
    reads++;
    return (int)n;
}

int PosixClient::peek()
{
    uint8_t b;
    if (fd < 0) return -1;
    return recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 1 ? b : -1;
}

void PosixClient::stop()
{
    if (fd >= 0) close(fd);
    fd = -1;
}

uint8_t PosixClient::connected()
{
    if (fd < 0) return 0;
    return (!peer_closed || available() > 0) ? 1 : 0;
}
