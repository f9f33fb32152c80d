# The README's commands on a fresh Debian 12 root (debootstrap minbase + make only):
# `make demo`, then the short tier of `make test` (`make test-unit`), in a chroot.
# Not in EXTRA_TESTS: it runs `make` inside itself; CI runs it first, before scripts/deps.sh
# (.ci/run). Needs root and debootstrap; the base is cached in build/fresh/.
.PHONY: test-fresh
test-fresh:
	@scripts/deps.sh debootstrap
	@tests/fresh/run.sh
