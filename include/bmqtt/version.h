/**
 * @file version.h
 * @brief bmqtt's version, for firmware that reports it.
 *
 * The one version string lives in bmqtt.mk (BMQTT_VERSION); this header,
 * idf_component.yml, library.json and CMake's project() follow it:
 * `scripts/version.py set X.Y.Z` changes them all, `make test-version` checks
 * that they agree.
 */
#ifndef BMQTT_VERSION_H
#define BMQTT_VERSION_H

/** Major version: changes that break the API or the ABI. */
#define BMQTT_VERSION_MAJOR 0
/** Minor version: additions that keep both. */
#define BMQTT_VERSION_MINOR 1
/** Patch version: fixes. */
#define BMQTT_VERSION_PATCH 0
/** "MAJOR.MINOR.PATCH". */
#define BMQTT_VERSION "0.1.0"
/** One number that compares: 0xMMmmpp. */
#define BMQTT_VERSION_NUMBER ((BMQTT_VERSION_MAJOR << 16) | (BMQTT_VERSION_MINOR << 8) | BMQTT_VERSION_PATCH)

#endif /* BMQTT_VERSION_H */
