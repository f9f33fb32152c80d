#!/usr/bin/env python3
"""bmqtt's one version string and the packaging files that follow it.

Usage: scripts/version.py check        (make test-version)
       scripts/version.py set X.Y.Z    change every file below to X.Y.Z

The version lives in bmqtt.mk (`BMQTT_VERSION := X.Y.Z`). The others follow it:
  include/bmqtt/version.h   BMQTT_VERSION "X.Y.Z" and _MAJOR/_MINOR/_PATCH
  idf_component.yml         version: "X.Y.Z"        (ESP-IDF component manager)
  library.json              "version": "X.Y.Z"      (PlatformIO)
  CMakeLists.txt            reads bmqtt.mk itself (project VERSION)
`check` also requires library.json's srcFilter and the ESP-IDF branch of
CMakeLists.txt (run by cmake -P with a stand-in idf_component_register) to
build exactly the codec + client sources of bmqtt.mk."""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MK, HDR, IDF, PIO = 'bmqtt.mk', 'include/bmqtt/version.h', 'idf_component.yml', 'library.json'
SEMVER = re.compile(r'^(\d+)\.(\d+)\.(\d+)$')


def read(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return f.read()


def write(rel, text):
    with open(os.path.join(ROOT, rel), 'w') as f:
        f.write(text)


def mk_version():
    m = re.search(r'^BMQTT_VERSION := (\S+)$', read(MK), re.M)
    if not m:
        sys.exit(f'{MK}: no "BMQTT_VERSION := X.Y.Z" line')
    return m.group(1)


def mk_sources():
    """BMQTT_SRCS of bmqtt.mk (codec, MQTT 5.0 codec, client), relative to the repository root, in order."""
    text = read(MK)
    return [f for name in ('CODEC', 'CODEC5', 'CLIENT')
            for f in re.findall(rf'^BMQTT_{name}_SRCS \+= \$\(BMQTT_DIR\)(\S+)$', text, re.M)]


def pio_filter(srcs):
    return ['-<*>'] + [f'+<{os.path.relpath(s, "src")}>' for s in srcs]


def header_version(text):
    got = {k: re.search(rf'^#define BMQTT_VERSION_{k} (\d+)$', text, re.M) for k in ('MAJOR', 'MINOR', 'PATCH')}
    s = re.search(r'^#define BMQTT_VERSION "([^"]*)"$', text, re.M)
    if s is None or None in got.values():
        return None
    parts = '.'.join(got[k].group(1) for k in ('MAJOR', 'MINOR', 'PATCH'))
    return s.group(1) if s.group(1) == parts else f'{s.group(1)} (numbers say {parts})'


def idf_cmake_sources():
    """What CMakeLists.txt gives idf_component_register when ESP_PLATFORM is set, and its BMQTT_VERSION."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'out.txt')
        script = os.path.join(tmp, 'esp.cmake')
        with open(script, 'w') as f:
            f.write(f'''set(ESP_PLATFORM 1)
function(idf_component_register)
  cmake_parse_arguments(A "" "" "SRCS;INCLUDE_DIRS;REQUIRES;PRIV_REQUIRES" ${{ARGN}})
  file(WRITE "{out}" "SRCS=${{A_SRCS}}\\nINCLUDE_DIRS=${{A_INCLUDE_DIRS}}\\n")
endfunction()
include("{os.path.join(ROOT, "CMakeLists.txt")}")
''')
        r = subprocess.run(['cmake', '-P', script], capture_output=True, text=True)
        # Without return() after the registration, project() would run and fail in script mode.
        if r.returncode != 0 or not os.path.exists(out):
            return None, None, r.stderr.strip() or 'idf_component_register was not called'
        text = open(out).read()
    fields = dict(line.split('=', 1) for line in text.splitlines() if '=' in line)
    srcs = [os.path.relpath(p, ROOT) for p in fields.get('SRCS', '').split(';') if p]
    return srcs, fields.get('INCLUDE_DIRS', ''), None


def check():
    want = mk_version()
    srcs = mk_sources()
    errors = []
    if not SEMVER.match(want):
        errors.append(f'{MK}: BMQTT_VERSION {want} is not MAJOR.MINOR.PATCH')
    got = header_version(read(HDR))
    if got != want:
        errors.append(f'{HDR}: {got} (bmqtt.mk: {want})')
    m = re.search(r'^version: "([^"]*)"$', read(IDF), re.M)
    if not m or m.group(1) != want:
        errors.append(f'{IDF}: version {m.group(1) if m else "missing"} (bmqtt.mk: {want})')
    pio = json.loads(read(PIO))
    if pio.get('version') != want:
        errors.append(f'{PIO}: version {pio.get("version")} (bmqtt.mk: {want})')
    if pio.get('build', {}).get('srcDir') != 'src' or pio['build'].get('srcFilter') != pio_filter(srcs):
        errors.append(f'{PIO}: build.srcDir/srcFilter must be "src" and {pio_filter(srcs)} '
                      '(scripts/version.py set rewrites it)')
    idf_srcs, idf_incs, err = idf_cmake_sources()
    if err:
        errors.append(f'CMakeLists.txt (ESP_PLATFORM): {err}')
    elif idf_srcs[:len(srcs)] != srcs or idf_incs.split(';')[0] != 'include':
        # The core first, then the optional layers (tests/esp-idf checks those).
        errors.append(f'CMakeLists.txt (ESP_PLATFORM): registers {idf_srcs} with INCLUDE_DIRS {idf_incs!r}, '
                      f'bmqtt.mk lists {srcs}')
    if errors:
        print('test-version: FAIL:\n  ' + '\n  '.join(errors))
        return 1
    print(f'test-version: OK: {want} in bmqtt.mk, {HDR}, {IDF}, {PIO} and CMake; '
          f'PlatformIO and ESP-IDF build the {len(srcs)} codec + client sources of bmqtt.mk (ESP-IDF its ports too)')
    return 0


def set_version(v):
    m = SEMVER.match(v)
    if not m:
        sys.exit(f'{v}: want MAJOR.MINOR.PATCH')
    write(MK, re.sub(r'^BMQTT_VERSION := \S+$', f'BMQTT_VERSION := {v}', read(MK), flags=re.M))
    h = read(HDR)
    for k, n in zip(('MAJOR', 'MINOR', 'PATCH'), m.groups()):
        h = re.sub(rf'^#define BMQTT_VERSION_{k} \d+$', f'#define BMQTT_VERSION_{k} {n}', h, flags=re.M)
    write(HDR, re.sub(r'^#define BMQTT_VERSION "[^"]*"$', f'#define BMQTT_VERSION "{v}"', h, flags=re.M))
    write(IDF, re.sub(r'^version: "[^"]*"$', f'version: "{v}"', read(IDF), flags=re.M))
    pio = json.loads(read(PIO))
    pio['version'] = v
    pio.setdefault('build', {})['srcDir'] = 'src'
    pio['build']['srcFilter'] = pio_filter(mk_sources())
    write(PIO, json.dumps(pio, indent=2) + '\n')
    return check()


def main():
    if len(sys.argv) == 2 and sys.argv[1] == 'check':
        return check()
    if len(sys.argv) == 3 and sys.argv[1] == 'set':
        return set_version(sys.argv[2])
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main())
