/* A POSIX stand-in for the part of Arduino.h that port/arduino and the tests use: millis(). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <time.h>

static inline unsigned long millis(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long)ts.tv_sec * 1000ul + (unsigned long)(ts.tv_nsec / 1000000);
}
