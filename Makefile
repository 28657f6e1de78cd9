# Builds ospite's libraries and binaries, its translations and tests; see README for the targets.

VERSION   := 0.1.0
# The Debian package and the installer ISO (make deb, make iso): named here, before any rule
# lists them among its prerequisites, which make expands as it reads each rule.
DEB       := build/ospite_$(VERSION)_amd64.deb
ISO       := build/ospite-$(VERSION)-amd64.iso
PREFIX    ?= /usr/local
DESTDIR   ?=
SANITIZE  ?= 0
CC        ?= cc
CFLAGS    ?= -O2 -g

ifeq ($(SANITIZE),1)
B         := build/san
SANFLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
B         := build/std
SANFLAGS  :=
endif

# libcrypto (OpenSSL) gives the SHA-256 that checks an answer file fetched over plain http.
PKGS      := libnewt slang libparted blkid libnl-3.0 libnl-route-3.0 libcrypt libcurl libcrypto
# hv/ and the console also need libvirt, libxml2 and libxlutil (with libxenlight for its disk type); the installer does not.
HV_PKGS   := libvirt libxml-2.0 xlutil xenlight
# The console logs operators in through PAM.
HV_PKGS   += pam
# The bridge editor reads and writes its bridges and snapshots as JSON.
HV_PKGS   += json-c
# Backup archives may be zstd streams.
HV_PKGS   += libzstd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(HV_PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libxlutil is opened at run time (hv/hv-xl.c), not linked: a KVM host needs no Xen library.
HV_LIBS    := $(shell pkg-config --libs $(filter-out xlutil xenlight,$(HV_PKGS)) 2>/dev/null)
XLUTIL_SONAME := $(shell objdump -p $$(pkg-config --variable=libdir xlutil 2>/dev/null)/libxlutil.so 2>/dev/null | \
		   awk '$$1 == "SONAME" { print $$2 }')

LOCALEDIR := $(PREFIX)/share/locale
UNITDIR   ?= $(PREFIX)/lib/systemd/system
MANDIR    ?= $(PREFIX)/share/man
CPPFLAGS  += -D_GNU_SOURCE -DOSPITE_VERSION=\"$(VERSION)\" -DLOCALEDIR=\"$(LOCALEDIR)\" \
	     -DLIBEXECDIR=\"$(PREFIX)/lib/ospite\" -DSBINDIR=\"$(PREFIX)/sbin\" -I. -I$(B)/gen
WARN      := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 \
	     -Wmissing-prototypes -Wstrict-prototypes -Wno-format-truncation
ALL_CFLAGS := $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS)
$(B)/obj/hv/hv-xl.o: CPPFLAGS += -DXLUTIL_SONAME=\"$(or $(XLUTIL_SONAME),libxlutil.so)\"
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

# One static library per folder; a file named main-*.c is a program, not library code.
LIBDIRS   := vmconsole install hv hostcfg tui base
lib_srcs   = $(filter-out $(1)/main-%.c,$(wildcard $(1)/*.c))
lib_objs   = $(patsubst %.c,$(B)/obj/%.o,$(call lib_srcs,$(1)))
lib_a      = $(foreach d,$(1),$(if $(call lib_srcs,$(d)),$(B)/lib$(d).a))
INST_A    := $(call lib_a,install hostcfg tui base)
CONS_A    := $(call lib_a,vmconsole hv hostcfg tui base)
LIBS_A    := $(call lib_a,$(LIBDIRS))

BINS      := $(B)/ospite-install $(if $(wildcard vmconsole/main-ospite.c),$(B)/ospite)

.PHONY: all run check check-unit check-po check-screen check-integration check-e2e check-all \
	install deps deps-test clean pot fuzz bench check-answers deb iso check-media netboot

all: $(BINS) $(B)/locale/it/LC_MESSAGES/ospite.mo

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

define lib_rule
$(B)/lib$(1).a: $(call lib_objs,$(1))
	@rm -f $$@
	$(AR) rcs $$@ $$^
endef
$(foreach d,$(LIBDIRS),$(eval $(call lib_rule,$(d))))

$(B)/ospite-install: $(B)/obj/install/main-install.o $(INST_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/ospite: $(B)/obj/vmconsole/main-ospite.o $(CONS_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(HV_LIBS)

# The install medium's package repository, resolved with the installer's Dependency Check.
$(B)/ospite-media-repo: $(B)/obj/media/main-media-repo.o $(INST_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# ---- translations --------------------------------------------------------
$(B)/locale/it/LC_MESSAGES/ospite.mo: po/it.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

pot:
	xgettext --from-code=UTF-8 -k_ -kN_ -kP_:1,2 --add-comments=TRANSLATORS: \
	  --package-name=ospite --package-version=$(VERSION) -f po/POTFILES.in -o po/ospite.pot
	msgmerge --update --backup=none --no-fuzzy-matching po/it.po po/ospite.pot

# ---- fuzzing: the answer-file parser under libFuzzer (clang) ------------------
FUZZ_SRCS := tests/fuzz/fuzz-ks.c $(filter-out install/ks-fetch.c,$(wildcard install/ks-*.c)) \
	     install/inst-plan.c install/inst-layout.c install/inst-valid.c \
	     base/base.c base/proc.c hostcfg/hcfg-util.c hostcfg/hcfg-part.c hostcfg/hcfg-disk.c hostcfg/hcfg-medium.c \
	     hostcfg/hcfg-diskid.c hostcfg/hcfg-target.c hostcfg/hcfg-aptsrc.c hostcfg/hcfg-units.c
FUZZ_TIME ?= 60
FUZZ_CC   ?= clang-14

build/fuzz/fuzz-ks: $(FUZZ_SRCS) $(wildcard install/*.h hostcfg/*.h base/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  $(PKG_CFLAGS) -o $@ $(filter %.c,$^) $(PKG_LIBS)

# New inputs go to build/fuzz/corpus-ks; the seeds in tests/fuzz/corpus-ks stay as committed.
fuzz: build/fuzz/fuzz-ks
	@mkdir -p build/fuzz/corpus-ks
	build/fuzz/fuzz-ks -max_total_time=$(FUZZ_TIME) -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	  -print_final_stats=1 build/fuzz/corpus-ks tests/fuzz/corpus-ks

# ---- tests ---------------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
# Unit binaries whose tests need what an integration script sets up for them: loop devices
# (disk-loop.sh), a network namespace (nic-netns.sh), a libvirtd (hv-libvirtd.sh), a mirror
# (apt-resolve.sh), a signed repository on a loopback HTTP server (medium-http.sh, repo-extra.sh); without it
# those tests skip. check-unit alone runs them and counts the
# skips; under make check, where no test may skip (OSPITE_NO_SKIP=1), only their scripts do.
HARNESSED := $(addprefix $(B)/tests/,test-hcfg-disk test-hcfg-part test-hcfg-nic \
	     test-hv-libvirtd test-inst-apt-resolve test-inst-lvm test-inst-mirror-key test-inst-repo)
UNIT_RUN  := $(if $(filter 1,$(OSPITE_NO_SKIP)),$(filter-out $(HARNESSED),$(UNIT_BINS)),$(UNIT_BINS))

$(B)/tests/%: tests/unit/%.c $(LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $^ \
	  $(PKG_LIBS) $(HV_LIBS) $(shell pkg-config --libs cmocka)

export OSPITE_BUILD := $(abspath $(B))
export OSPITE_LOCALEDIR := $(abspath $(B))/locale
# libparted runs dmidecode at load time and strchr()s a buffer it never filled when
# the machine has no DMI data: that is not our bug, so do not let ASan stop on it.
export ASAN_OPTIONS := detect_leaks=1:abort_on_error=0:intercept_strchr=0
export PARTED_GPT_APPLE := 0
export UBSAN_OPTIONS := print_stacktrace=1
# Every runner treats a skip as a failure when this is 1.
export OSPITE_NO_SKIP

deps:
	@tests/lib/deps.sh build

deps-test:
	@tests/lib/deps.sh test

# deps-test installed what every test needs: a test that skips fails make check.
check: deps-test
	$(MAKE) all $(UNIT_BINS)
	$(MAKE) OSPITE_NO_SKIP=1 check-unit check-answers check-po check-screen check-integration \
	  check-e2e

check-all: check

# A skip leaves the status 0 here (run-unit.sh says 77); the count says how many skipped.
check-unit: $(UNIT_RUN)
	@tests/lib/run-unit.sh $(UNIT_RUN) || [ $$? = 77 ]

check-po:
	@tests/po-check.sh

# Answer files against their golden plan dumps and error lines.
check-answers: all
	@tests/answers/run.sh

check-screen: all
	@tests/lib/run-scripts.sh tests/screen

check-integration: all $(HARNESSED)
	@tests/lib/run-scripts.sh tests/integration

# Speed against the tools a user would otherwise use, each measured in the same run.
bench: all
	@p=0 f=0 s=0; for t in tests/bench/[0-9]*.sh; do $$t; case $$? in \
	  0) p=$$((p + 1)) ;; 77) s=$$((s + 1)) ;; *) f=$$((f + 1)) ;; esac; done; \
	  echo "bench: $$p passed, $$f failed, $$s skipped"; [ $$f = 0 ]

# The installs put ospite on each host as the package make deb builds (the installer finds
# build/ospite_VERSION_amd64.deb beside its build folder); one installs from the ISO's repository.
check-e2e: all $(DEB) $(ISO)
	@tests/lib/run-scripts.sh tests/e2e

run: deps
	$(MAKE) all deb
	@mkdir -p build
	$(B)/ospite-install --image build/demo-disk.img --image-size 8G

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(LOCALEDIR)/it/LC_MESSAGES
	install -m 0755 $(B)/ospite-install $(DESTDIR)$(PREFIX)/sbin/ospite-install
	install -m 0644 $(B)/locale/it/LC_MESSAGES/ospite.mo $(DESTDIR)$(LOCALEDIR)/it/LC_MESSAGES/
	install -m 0755 $(B)/ospite $(DESTDIR)$(PREFIX)/sbin/ospite
	install -d $(DESTDIR)/etc/pam.d $(DESTDIR)$(UNITDIR)
	install -m 0644 vmconsole/ospite.pam $(DESTDIR)/etc/pam.d/ospite
	sed 's|@SBINDIR@|$(PREFIX)/sbin|' vmconsole/ospite-console.service \
	  >$(DESTDIR)$(UNITDIR)/ospite-console.service
	sed 's|@SBINDIR@|$(PREFIX)/sbin|' vmconsole/ospite-console-serial@.service \
	  >$(DESTDIR)$(UNITDIR)/ospite-console-serial@.service
	sed 's|@SBINDIR@|$(PREFIX)/sbin|' vmconsole/ospite-net-restore.service \
	  >$(DESTDIR)$(UNITDIR)/ospite-net-restore.service
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/ospite-answers.5 man/ospite-backup.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/ospite.8 man/ospite-install.8 $(DESTDIR)$(MANDIR)/man8/

# ---- boot media: the Debian package (see debian/), built from a copy of the tracked files ----
deb: $(DEB)

$(DEB): $(shell git ls-files --cached --others --exclude-standard -- Makefile debian man po $(LIBDIRS) 2>/dev/null)
	@tests/lib/deps.sh media
	rm -rf build/deb && mkdir -p build/deb/ospite-$(VERSION)
	git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - | tar -xf - -C build/deb/ospite-$(VERSION)
	cd build/deb/ospite-$(VERSION) && dpkg-buildpackage -b -us -uc -j2
	lintian --fail-on error build/deb/ospite_$(VERSION)_amd64.changes
	cp build/deb/ospite_$(VERSION)_amd64.deb $@

# The installer ISO: a live root from this machine's mirror (see media/mkiso.sh). make iso
# prints the time and size for the whole of it: the package, the live root and the ISO.
iso:
	@start=$$(date +%s); before=$$(stat -c %Y $(ISO) 2>/dev/null); \
	$(MAKE) --no-print-directory $(ISO) || exit 1; \
	size=$$(du -m $(ISO) | cut -f1); took=$$(( $$(date +%s) - start )); \
	if [ "$$before" = "$$(stat -c %Y $(ISO))" ]; then echo "make iso: $(ISO) is up to date ($$size MiB)"; \
	else echo "make iso: $(ISO): $$size MiB; package and ISO built in $$took s ($$((took / 60)) min $$((took % 60)) s)"; fi

$(ISO): $(DEB) $(B)/ospite-media-repo $(wildcard media/*)
	@tests/lib/deps.sh media
	media/mkiso.sh $(DEB) $@ $(abspath build/iso) $(abspath $(B)/ospite-media-repo) \
	  $(abspath build/media-apt)

# Network boot: the ISO's parts served over TFTP and HTTP (see README).
netboot: $(ISO)
	@tests/lib/deps.sh media
	media/mknetboot.sh build/iso/iso build/netboot $(VERSION)

# The boot media under QEMU (TCG): slow, so not part of make check.
check-media: iso netboot
	@tests/lib/run-scripts.sh tests/media

clean:
	rm -rf build/std build/san

-include $(shell find build -path '*/obj/*' -name '*.d' -type f 2>/dev/null)
