# Cunxiang: one non-recursive Makefile.
#   make            build cunxiangd and cunxiangctl into $(BUILD)/
#   make check      install missing Debian packages, build, unit tests (plain and
#                   under ASan+UBSan), config checks, scenario tests on a real broker
#   make demo       a broker, a simulated node, a signed warning, the receipt
#   make bench      benchmarks (figures go into docs/PERFORMANCE.md), streamed
#                   audio beside Snapcast and trx included (make bench-stream), the
#                   hub under a swarm of 10,000 emulated nodes (make bench-hub), the
#                   web console rendering them in Chromium (make bench-console)
#   make install    install binaries, example configs, units, sysusers.d, tmpfiles.d,
#                   the udev rule, man pages and completion under $(DESTDIR)$(PREFIX)
#                   (make uninstall removes them); make V=1 shows the commands
#   make check-pkg  the Debian packages (debian/) built, installed, upgraded and
#                   purged in a fresh bookworm chroot (root; part of make check)

# Install paths (GNU names); make install PREFIX=/usr DESTDIR=... is what
# debian/rules runs.  The units, sysusers.d, tmpfiles.d and udev directories
# do not follow PREFIX: systemd and udev read them only there.
.DEFAULT_GOAL := all

# the release (-V of every program, the node's status, the hub's /api/health);
# debian/changelog's upstream version must be the same
VERSION   ?= 0.1.0
PREFIX    ?= /usr/local
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
BINDIR    ?= $(PREFIX)/bin
SBINDIR   ?= $(PREFIX)/sbin
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
UNITDIR   ?= /lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
UDEVRULESDIR ?= /lib/udev/rules.d
BUILD     ?= build
SAN       ?=

CC        ?= cc
PKGS       = alsa opus opusfile libgpiod libmosquitto libcrypto libcjson inih speexdsp \
             sqlite3 libmicrohttpd libsodium libcurl libxml-2.0 libsystemd
# Debian packages needed to build and test (make deps installs the missing ones).
# Every command a test, the demo, the fuzz runner, the hw test or bench calls
# is listed with its package in tests/deps/tools.txt; tests/deps/check.py
# (make depcheck, part of make check) fails if one is not covered here.
# procps (pkill) and mawk (awk) are not on every minimal image.  curl: no test
# runs the command (the hub tests link libcurl; scripts use python3), listed so
# a fresh machine has it for trying the hub's HTTP API by hand (HUB-API.md).
DEB_PKGS   = build-essential pkg-config libasound2-dev libopus-dev libopusfile-dev \
             libgpiod-dev libmosquitto-dev libssl-dev libcjson-dev libinih-dev libspeexdsp-dev \
             libsqlite3-dev sqlite3 libmicrohttpd-dev libsodium-dev libcurl4-openssl-dev \
             libcmocka-dev mosquitto mosquitto-clients opus-tools sox openssl espeak-ng python3 \
             clang libclang-rt-14-dev valgrind procps mawk faketime libfaketime \
             python3-cryptography mount libxml2-dev libxml2-utils tzdata \
             pulseaudio pulseaudio-utils libasound2-plugins python3-numpy iproute2 \
             chromium chromium-driver python3-selenium fonts-wqy-microhei mandoc \
             libsystemd-dev systemd curl
# ... and for make check-hw (the libgpiod backend under QEMU with Debian's
# kernel; tests/hw/gpiod-qemu.sh installs them as root).  make check runs
# check-hw, so its make deps step names and installs both lists.
HW_PKGS    = qemu-system-x86 linux-image-amd64 linux-headers-amd64 linux-source-6.1 \
             busybox-static kmod cpio xz-utils gzip gcc make libc6-dev libgpiod-dev pkg-config
# ... and for make check-pkg (tests/pkg/run.sh: dpkg-buildpackage, lintian,
# a debootstrapped bookworm, systemd-analyze verify on the installed units);
# make check runs check-pkg, so its make deps step installs these too
PKG_PKGS   = debhelper dpkg-dev lintian debootstrap git systemd
# ... and for make bench: the peers bench/stream/run.sh measures side by side
BENCH_PKGS = snapserver snapclient trx
DEPS_PKGS  = $(DEB_PKGS)

# CPPFLAGS, CFLAGS and LDFLAGS are the user's (dpkg-buildflags hardening, -O
# levels): they come after the project's own flags in every compile and link,
# and setting them never drops -std=c11 -I. -MMD or the warnings (CX_*).
CFLAGS    ?= -O2 -g
CX_CFLAGS  = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
             -Wformat=2 -fno-common -MMD -MP -I.
CX_LDFLAGS =
# sanitizer builds: after the user's CFLAGS, so -O1 wins over their -O2
SAN_CFLAGS =
ifneq ($(SAN),)
SAN_CFLAGS = -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CX_LDFLAGS += -fsanitize=address,undefined
endif
# PKG_CONFIG: the host's (dh_auto_build sets <triplet>-pkg-config when cross-building)
PKG_CONFIG ?= pkg-config
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
CX_CFLAGS += $(PKG_CFLAGS)
$(BUILD)/common/version.o: CX_CFLAGS += -DCX_VERSION='"$(VERSION)"'
# cunxiangctl's default zone-name file is the copy make install puts in DATADIR
$(BUILD)/ctl/ctlconf.o: CX_CFLAGS += -DCX_DATADIR='"$(DATADIR)"'
# ... so those objects are rebuilt when DATADIR or VERSION changes (make, then make PREFIX=/usr)
$(BUILD)/ctl/ctlconf.o $(BUILD)/hub/hubconf.o $(BUILD)/common/version.o: $(BUILD)/paths
$(BUILD)/paths: FORCE
	@mkdir -p $(dir $@)
	@echo '$(DATADIR) $(VERSION)' | cmp -s - $@ || echo '$(DATADIR) $(VERSION)' > $@

# Quiet build: "  CC  common/alert.o"; make V=1 prints the commands.
ifeq ($(V),1)
Q =
say =
else
Q = @
say = @printf '  %-4s %s\n' '$(1)' '$(patsubst $(BUILD)/%,%,$(2))'
endif
COMPILE = $(CC) $(CX_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(SAN_CFLAGS)
# link $^ (plus $(1), e.g. cmocka) into $@
define link
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(CX_LDFLAGS) $(LDFLAGS) -o $@ $^ $(1) $(LDLIBS)
endef
LDLIBS    += $(PKG_LIBS) -lm

COMMON_SRC = $(sort $(wildcard common/*.c))
AUDIO_SRC  = $(sort $(wildcard audio/*.c))
GPIO_SRC   = $(sort $(wildcard gpio/*.c))
CTRL_SRC   = $(sort $(wildcard controller/*.c))
CTL_SRC    = $(sort $(wildcard ctl/*.c))
HUB_SRC    = $(sort $(wildcard hub/*.c))
UNIT_SRC   = $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRC  = $(sort $(wildcard bench/*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIBCOMMON = $(BUILD)/libcxcommon.a
LIBAUDIO  = $(BUILD)/libcxaudio.a
LIBGPIO   = $(BUILD)/libcxgpio.a
# the controller's objects minus main.o, so unit tests can link them
LIBCTRL   = $(BUILD)/libcxctrl.a
# the CLI's objects minus main.o, likewise (test_ctl_*)
LIBCTL    = $(BUILD)/libcxctl.a
# the hub's objects minus main.o (test_hub_*)
LIBHUB    = $(BUILD)/libcxhub.a
DAEMON    = $(BUILD)/cunxiangd
CTL       = $(BUILD)/cunxiangctl
HUBD      = $(BUILD)/cunxiang-hub
UNITS     = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
BENCHES   = $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.PHONY: all check unit unit-run configcheck scenario demo bench install uninstall clean deps fuzz \
        check-hw check-pkg depcheck hw-pkgs pkg-pkgs bench-stream bench-hub bench-console FORCE
all: $(DAEMON) $(CTL) $(HUBD)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(COMPILE) -c -o $@ $<

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
$(LIBAUDIO): $(call obj,$(AUDIO_SRC))
$(LIBGPIO): $(call obj,$(GPIO_SRC))
$(LIBCTRL): $(call obj,$(filter-out controller/main.c,$(CTRL_SRC)))
$(LIBCTL): $(call obj,$(filter-out ctl/main.c,$(CTL_SRC)))
$(LIBHUB): $(call obj,$(filter-out hub/main.c,$(HUB_SRC)))
# [http] console_dir's default: where make install puts hub/console/*
$(BUILD)/hub/hubconf.o: CX_CFLAGS += -DCX_CONSOLE_DIR='"$(DATADIR)/cunxiang/console"'
$(BUILD)/%.a:
	@mkdir -p $(dir $@)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(DAEMON): $(BUILD)/controller/main.o $(LIBCTRL) $(LIBAUDIO) $(LIBGPIO) $(LIBCOMMON)
	$(call link)

$(CTL): $(call obj,$(CTL_SRC)) $(LIBAUDIO) $(LIBCOMMON)
	$(call link)

$(HUBD): $(BUILD)/hub/main.o $(LIBHUB) $(LIBCOMMON)
	$(call link)

# A unit test links only the libraries of its module (test_common_*, test_audio_*,
# test_gpio_*, test_ctrl_*, test_ctl_*), so one module's work in progress never blocks
# another's tests.
$(BUILD)/tests/test_common_%: $(BUILD)/tests/unit/test_common_%.o $(LIBCOMMON)
	$(call link,$(CMOCKA_LIBS))
$(BUILD)/tests/test_audio_%: $(BUILD)/tests/unit/test_audio_%.o $(LIBAUDIO) $(LIBCOMMON)
	$(call link,$(CMOCKA_LIBS))
$(BUILD)/tests/test_gpio_%: $(BUILD)/tests/unit/test_gpio_%.o $(LIBGPIO) $(LIBCOMMON)
	$(call link,$(CMOCKA_LIBS))
$(BUILD)/tests/test_ctrl_%: $(BUILD)/tests/unit/test_ctrl_%.o $(LIBCTRL) $(LIBAUDIO) $(LIBGPIO) $(LIBCOMMON)
	$(call link,$(CMOCKA_LIBS))

$(BUILD)/tests/test_ctl_%: $(BUILD)/tests/unit/test_ctl_%.o $(LIBCTL) $(LIBAUDIO) $(LIBCOMMON)
	$(call link,$(CMOCKA_LIBS))
$(BUILD)/tests/test_hub_%: $(BUILD)/tests/unit/test_hub_%.o $(LIBHUB) $(LIBCOMMON)
	$(call link,$(CMOCKA_LIBS))

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIBHUB) $(LIBCTRL) $(LIBAUDIO) $(LIBGPIO) $(LIBCOMMON)
	$(call link)

unit: $(UNITS)

# Unit tests run from the top directory (they read tests/corpus and tests/data).
unit-run: $(UNITS)
	@set -e; for t in $(UNITS); do echo "== $$t"; ./$$t; done

# Every shipped config must pass the daemon's own checker (-s: the file itself;
# the paths and devices it names are the target board's, not this machine's).
configcheck: $(DAEMON) $(HUBD)
	@set -e; for f in firmware-config/*.conf; do \
	  case $$f in *ctl*.conf) continue;; esac; \
	  if [ $$f = firmware-config/hub.conf ]; then continue; fi; \
	  ./$(DAEMON) -n -s -c $$f >/dev/null || { echo "config check failed: $$f"; exit 1; }; \
	  echo "config OK: $$f"; done
	@./$(HUBD) -n -s -c firmware-config/hub.conf

scenario: all
	tests/scenario/run.sh $(BUILD)

# libFuzzer over every parser (clang); a crash leaves its reproducer in
# build-fuzz/artifacts/<target>/ (fixed crashers go into tests/corpus/)
FUZZ_SECONDS ?= 10
fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# the libgpiod backend against a real kernel GPIO chip (gpio-sim under QEMU);
# installs QEMU and Debian's kernel packages as root (about 2 minutes the first time)
check-hw: $(LIBGPIO) $(LIBCOMMON)
	CX_HW_PKGS="$(HW_PKGS)" tests/hw/gpiod-qemu.sh

# the package list of check-hw, for tests/hw/gpiod-qemu.sh run on its own
hw-pkgs:
	@echo $(HW_PKGS)

# the Debian packages built, installed in a fresh bookworm chroot, upgraded
# and purged (root; the chroot is cached in $(BUILD)/pkg/)
check-pkg:
	CX_PKG_PKGS="$(PKG_PKGS)" BUILD=$(BUILD) tests/pkg/run.sh

# the package list of check-pkg, for tests/pkg/run.sh run on its own
pkg-pkgs:
	@echo $(PKG_PKGS)

# every command the tests call comes from a package make deps installs
depcheck:
	python3 tests/deps/check.py

deps:
	@missing=""; for p in $(sort $(DEPS_PKGS)); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing"; \
	    echo "run as root: apt-get install$$missing"; exit 1; \
	  fi; \
	fi

# check runs in a fresh make so pkg-config flags are read after deps installed them;
# its deps step covers check-hw's and check-pkg's packages too (one list to install)
check: DEPS_PKGS = $(DEB_PKGS) $(HW_PKGS) $(PKG_PKGS)
check: deps
	$(MAKE) depcheck
	$(MAKE) all
	$(MAKE) unit-run
	$(MAKE) BUILD=build-san SAN=1 unit-run
	$(MAKE) configcheck
	$(MAKE) scenario
	$(MAKE) fuzz FUZZ_SECONDS=5
	$(MAKE) check-hw
	$(MAKE) check-pkg
	@echo "make check: all passed"

demo: deps
	$(MAKE) all
	tests/demo/demo.sh $(BUILD)

bench: DEPS_PKGS = $(DEB_PKGS) $(BENCH_PKGS)
bench: deps
	$(MAKE) all $(BENCHES)
	bench/run.sh $(BUILD)
	bench/stream/run.sh $(BUILD)
	bench/hub/run.sh $(BUILD)
	bench/console/run.sh $(BUILD)

# the console only: 10,000 emulated nodes enrolled, rendered in headless Chromium
bench-console: deps
	$(MAKE) all $(BENCHES)
	bench/console/run.sh $(BUILD)

# the hub only: a swarm of 10,000 emulated nodes, the broker, the hub (N=1000 for less)
bench-hub: deps
	$(MAKE) all $(BENCHES)
	bench/hub/run.sh $(BUILD)

# streamed audio only: this project beside Snapcast and trx (root: namespaces)
bench-stream: DEPS_PKGS = $(DEB_PKGS) $(BENCH_PKGS)
bench-stream: deps
	$(MAKE) all
	bench/stream/run.sh $(BUILD)

# What make install puts where (make uninstall removes the same).  Units,
# tmpfiles.d entries (*.in) get the install paths substituted; the man pages
# and the bash completion are installed when the tree has them.
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
            -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g' \
            -e 's|@DATADIR@|$(DATADIR)|g'
# the examples and the man pages name the files make install puts in DATADIR
# as they are by default
SUBST_EXAMPLE = sed -e 's|/usr/local/share/cunxiang/zones.csv|$(DATADIR)/cunxiang/zones.csv|g' \
                    -e 's|/usr/local/share/cunxiang/console|$(DATADIR)/cunxiang/console|g' \
                    -e 's|/usr/local/share/cunxiang/clips|$(DATADIR)/cunxiang/clips|g'
UNIT_FILES   = cunxiangd.service cunxiang-hub.service
SYSUSERS_FILES = cunxiang.conf cunxiang-hub.conf
TMPFILES_FILES = cunxiang.conf cunxiang-hub.conf
UDEV_FILES   = 60-cunxiang-gpio.rules
EXAMPLES     = node.conf ctl.conf hub.conf
BROKER_FILES = cunxiang.conf acl
CONSOLE_FILES = $(notdir $(wildcard hub/console/*))
MAN_PAGES    = $(wildcard man/*.1 man/*.5 man/*.8)
COMPLETION   = $(wildcard completion/cunxiangctl.bash)
SHAREDIR     = $(DATADIR)/cunxiang

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/cunxiang \
	  $(DESTDIR)$(SHAREDIR)/clips $(DESTDIR)$(SHAREDIR)/console $(DESTDIR)$(SHAREDIR)/broker \
	  $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(UDEVRULESDIR)
	install -m 0755 $(DAEMON) $(DESTDIR)$(SBINDIR)/cunxiangd
	install -m 0755 $(CTL) $(DESTDIR)$(BINDIR)/cunxiangctl
	install -m 0755 $(HUBD) $(DESTDIR)$(SBINDIR)/cunxiang-hub
	for f in $(CONSOLE_FILES); do install -m 0644 hub/console/$$f $(DESTDIR)$(SHAREDIR)/console/; done
	for f in $(EXAMPLES); do $(SUBST_EXAMPLE) firmware-config/$$f > \
	  $(DESTDIR)$(SYSCONFDIR)/cunxiang/$$f.example && chmod 0644 $(DESTDIR)$(SYSCONFDIR)/cunxiang/$$f.example; done
	install -m 0644 firmware-config/zones-430682.csv $(DESTDIR)$(SHAREDIR)/zones.csv
	for f in $(BROKER_FILES); do install -m 0644 firmware-config/broker/$$f $(DESTDIR)$(SHAREDIR)/broker/; done
	for f in $(UNIT_FILES); do $(SUBST) firmware-config/$$f.in > $(DESTDIR)$(UNITDIR)/$$f && \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$f; done
	for f in $(SYSUSERS_FILES); do \
	  install -m 0644 firmware-config/sysusers/$$f $(DESTDIR)$(SYSUSERSDIR)/$$f; done
	for f in $(TMPFILES_FILES); do $(SUBST) firmware-config/tmpfiles/$$f.in > \
	  $(DESTDIR)$(TMPFILESDIR)/$$f && chmod 0644 $(DESTDIR)$(TMPFILESDIR)/$$f; done
	for f in $(UDEV_FILES); do install -m 0644 firmware-config/udev/$$f $(DESTDIR)$(UDEVRULESDIR)/$$f; done
	for m in $(MAN_PAGES); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s && \
	  $(SUBST_EXAMPLE) $$m > $(DESTDIR)$(MANDIR)/man$$s/$${m##*/} && \
	  chmod 0644 $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	for c in $(COMPLETION); do install -d $(DESTDIR)$(BASHCOMPDIR) && \
	  install -m 0644 $$c $(DESTDIR)$(BASHCOMPDIR)/cunxiangctl; done

# The configs an administrator made from the examples, and the state
# directories, are theirs: uninstall leaves them.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/cunxiangd $(DESTDIR)$(BINDIR)/cunxiangctl $(DESTDIR)$(SBINDIR)/cunxiang-hub
	rm -f $(addprefix $(DESTDIR)$(SHAREDIR)/console/,$(CONSOLE_FILES)) \
	  $(addprefix $(DESTDIR)$(SHAREDIR)/broker/,$(BROKER_FILES)) $(DESTDIR)$(SHAREDIR)/zones.csv \
	  $(patsubst %,$(DESTDIR)$(SYSCONFDIR)/cunxiang/%.example,$(EXAMPLES)) \
	  $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNIT_FILES)) \
	  $(addprefix $(DESTDIR)$(SYSUSERSDIR)/,$(SYSUSERS_FILES)) \
	  $(addprefix $(DESTDIR)$(TMPFILESDIR)/,$(TMPFILES_FILES)) \
	  $(addprefix $(DESTDIR)$(UDEVRULESDIR)/,$(UDEV_FILES)) \
	  $(DESTDIR)$(BASHCOMPDIR)/cunxiangctl
	for m in $(notdir $(MAN_PAGES)); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; done
	-rmdir $(DESTDIR)$(SHAREDIR)/console $(DESTDIR)$(SHAREDIR)/broker $(DESTDIR)$(SHAREDIR)/clips \
	  $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(SYSCONFDIR)/cunxiang 2>/dev/null

clean:
	rm -rf build build-san build-fuzz

# (not in $(BUILD)/pkg/: the package test's copies of the tree)
-include $(shell find $(BUILD) -path $(BUILD)/pkg -prune -o -name '*.d' -type f -print 2>/dev/null)
