# l4lab — the one entry point.  `make help` lists what a student does.
#
#   make              build the kernel and the user programs (your tree)
#   make qemu         boot your tree, serial console on this terminal (Ctrl-a x quits)
#   make qemu-gdb     the same, halted, waiting for GDB on your port (GDBPORT)
#   make gdb          GDB connected to it, with kernel and user symbols loaded
#   make compile_commands.json   the compile commands of your tree, for
#                     clangd and VS Code (.vscode/, docs/gdb.md section 16)
#   make grade        grade your tree (LAB=n: lab n, earlier labs as regressions;
#                     TEST=name: that test alone)
#   make bench        benchmarks beside the reference and the paper (LAB=n)
#   make bench-native Lab 5's benchmarks on Debian's Linux kernel, same QEMU:
#                     make bench shows them beside yours; make bench-chart
#                     draws both and the paper's ratios (build/bench-chart.svg)
#   make check        host unit tests (Check)
#   make test         everything CI checks
#   make fuzz         random system calls against the complete reference kernel
#                     (SOLUTION=all; CALLS=n SEED=n; SOLUTION=, LAB=n: your tree)
#   make demo         boot the complete reference system, one stage at a time
#   make linux        run a Linux program under the Linux server (Lab 5) on the
#                     complete reference system: CMD="/bin/prog args"
#                     (default /bin/init: a shell prompt), ROOTFS_EXTRA=dir adds a
#                     host folder's files; ends with the program's exit status
#   make busybox      fetch Debian's busybox-static (i386) into build/busybox/:
#                     make linux then boots busybox's sh and applets (BUSYBOX=no:
#                     without them)
#
# SOLUTION=N builds with the reference files of labs 0..N (solutions/labK/)
# in place of yours, in build/solN/; your files are never changed.
# RUN="prog args,prog2" chooses the boot modules (default: hello).
# KVM=1 uses KVM when a probe shows it can run a 32-bit guest; ICOUNT=1 runs
# under -icount shift=0, where rdtsc counts guest instructions.
# FASTPATH=0 builds the kernel without its IPC fast path (Lab 6), in
# build/student-slow or build/solN-slow; the grader honours it too.

# The kernel calls its IPC fast path (kernel/fastpath.c, Lab 6's hole) on
# every IPC.  In the student tree and in SOLUTION=0..5 that file is the
# stub, which always says "not taken", so Labs 0..5 grade and measure the
# slow path their handouts teach; SOLUTION=6 and up have the reference.
# FASTPATH=0 builds a kernel that never calls it (to compare the two), in
# a build directory of its own (build/student-slow, build/solN-slow,
# objects in build/obj-slow/), so that objects of the two kernels never mix.
FASTPATH ?= 1
SLOW := $(if $(filter 0,$(FASTPATH)),-slow)

SOLUTION ?=
ifeq ($(SOLUTION),)
B   := build/student$(SLOW)
SRC := .
else
# SOLUTION=all is the tree of the last lab in solutions/ (labs 0..N are all
# there are): it is built once, in build/solN/, and build/solall links to it.
_last := $(shell ls solutions 2>/dev/null | sed -n 's/^lab\([0-9][0-9]*\)$$/\1/p' | sort -n | tail -n 1)
B   := build/sol$(if $(filter all,$(SOLUTION)),$(or $(_last),all),$(SOLUTION))$(SLOW)
SRC := $(B)/src
_overlay := $(shell tools/overlay $(SOLUTION) $(SRC))
ifneq ($(.SHELLSTATUS),0)
$(error tools/overlay could not build the mirror $(SRC): see its message above)
endif
ifeq ($(SOLUTION),all)
ifneq ($(_last),)
_link := $(shell mkdir -p build && { [ "$$(readlink build/solall$(SLOW))" = sol$(_last)$(SLOW) ] || \
                 { rm -rf build/solall$(SLOW) && ln -sfn sol$(_last)$(SLOW) build/solall$(SLOW); }; })
endif
endif
endif

# Objects are shared by every tree.  Each source file is compiled once, by
# its real path relative to this folder, into $(OBJ)/k/ (kernel flags) or
# $(OBJ)/u/ (user flags): kernel/sched.c into build/obj/k/kernel/sched.o,
# solutions/lab1/kernel/ipc.c into build/obj/k/solutions/lab1/kernel/ipc.o.
# A tree (build/student, build/solN) is then only a choice of objects to
# link, so building sol0..sol5 after the student tree compiles just the
# reference files; a panic's file:line (__FILE__) and GDB name the file
# itself.  Headers come from this folder's kernel/, include/, user/include/
# (never from a tree's mirror): the mirrors hold no headers of their own
# (tools/overlay refuses a solution header).
OBJ  := build/obj$(SLOW)
real  = $(patsubst $(CURDIR)/%,%,$(realpath $1))
# A file's place in the tree: kernel/ipc.c, also for its link
# build/sol1/src/kernel/ipc.c (to solutions/lab1/kernel/ipc.c).
logical = $(patsubst ./%,%,$(patsubst $(SRC)/%,%,$1))
# $(call objs,k|u,files): the objects of a tree's files.  Each remembers its
# file's folder in the tree (IQ_object), where its #include "x.h" looks
# first: solutions/lab3/user/pager/fault.c finds user/pager/pager.h.
objs = $(foreach f,$2,$(eval _o := $(OBJ)/$1/$(basename $(call real,$f)).o)$(eval \
           IQ_$(_o) := $(dir $(call logical,$f)))$(_o))
PATHMAP := -fmacro-prefix-map=$(CURDIR)/= -fdebug-prefix-map=$(CURDIR)/=

CC      := gcc
LD      := ld
NASM    := nasm
PYTHON  := python3
GDB     := gdb
# One GDB port per user, so that students sharing a server do not collide;
# GDBPORT=n in the environment or on the command line picks another.
ifndef GDBPORT
GDBPORT := $(shell expr `id -u` % 5000 + 25000)
endif

# -Werror only in CI (CI=true there): a newer compiler's new warning must
# not break a student's build.
WERROR  := $(if $(filter true 1,$(CI)),-Werror)
WARN    := -Wall -Wextra $(WERROR)

# The kernel: freestanding, no floating point, frame pointers kept for
# backtraces, -O1 -g so that GDB's view stays close to the source.
KCFLAGS := -m32 -std=gnu11 -O1 -g $(WARN) $(PATHMAP) -ffreestanding -fno-pic -fno-pie \
           -fno-stack-protector -fno-omit-frame-pointer -mno-sse -mno-mmx -mno-80387 \
           -mpreferred-stack-boundary=2 \
           -fno-asynchronous-unwind-tables -Ikernel -Iinclude -MMD -MP \
           -DFASTPATH=$(if $(SLOW),0,1)
UCFLAGS := -m32 -std=gnu11 -O1 -g $(WARN) $(PATHMAP) -ffreestanding -fno-pic -fno-pie \
           -fno-stack-protector -fno-omit-frame-pointer -mno-sse -mno-mmx \
           -fno-asynchronous-unwind-tables -Iuser/include -Iinclude -MMD -MP
NASMFLAGS := -f elf32 -g -F dwarf

# The flags $(OBJ)'s objects were compiled with.  make compares only times,
# so objects compiled before a flag changed (a new one in KCFLAGS, CI's
# -Werror) would stay as they were; this file changes when the flags do
# (written whole, then renamed), and every object depends on it.  Reference
# figures were once measured on such stale objects (docs/roadmap.md).  The
# tree's own path and -Werror are left out: neither changes an object, and
# a copy built elsewhere without CI's -Werror (batch.seed_base) keeps its
# objects.
FLAGS_STAMP := $(OBJ)/.flags
FLAGS_NOW   := $(filter-out $(PATHMAP) -Werror,$(KCFLAGS) | $(UCFLAGS) | $(NASMFLAGS))
$(shell mkdir -p $(OBJ) && [ "$$(cat $(FLAGS_STAMP) 2>/dev/null)" = '$(FLAGS_NOW)' ] || \
    { printf '%s\n' '$(FLAGS_NOW)' > $(FLAGS_STAMP).$$$$ && mv -f $(FLAGS_STAMP).$$$$ $(FLAGS_STAMP); })
LIBGCC   = $(shell $(CC) -m32 -print-libgcc-file-name)

# Two makes of one tree at once (make test's parts side by side, a test's
# make beside the grader's, make qemu-gdb beside make gdb) take turns: the
# tree is built by a second make under a lock on build/TREE.lock (flock,
# util-linux).  Objects are safe without it (see COMPILE below); a tree's
# links, listings and root file system are not.
all:
	@mkdir -p $(dir $(B)) && flock $(B).lock $(MAKE) --no-print-directory tree

tree: $(B)/kernel.elf user
ifeq ($(SOLUTION),)
	@echo "make: your tree is built in $(B)/ (kernel.elf, user/*.elf, listings *.asm)"
else
	@echo "make: built in $(B)/ from your tree with the reference files of" \
	      "$(if $(filter all,$(SOLUTION)),every lab,labs 0..$(SOLUTION))" \
	      "(solutions/) in place of yours; $(B)/src/ mirrors them as links"
endif

include kernel/Makefrag
include user/Makefrag
include grader/Makefrag

# Missing packages are installed (as root) or named (otherwise) by tools/deps.
build/.deps-ok: tools/deps
	@tools/deps
	@mkdir -p build && touch $@

# Kernel objects compiled before the fast path became the default (Lab 6)
# were compiled without it, in build/obj/ too: this stamp, made once and so
# newer than they are, has every kernel object compiled again once.
$(OBJ)/k/.fastpath-default:
	@mkdir -p $(@D) && touch $@

# Two makes (two trees, or make qemu-gdb and make gdb) may want the same
# object at once: each writes its own temporary file and renames it.
define COMPILE
@mkdir -p $(@D)
$(CC) $1 $(addprefix -iquote ,$(IQ_$@)) -MF $(@:.o=.d).$$$$ -MT $@ -c -o $@.$$$$ $< && \
    mv -f $(@:.o=.d).$$$$ $(@:.o=.d) && mv -f $@.$$$$ $@
endef
define ASSEMBLE
@mkdir -p $(@D)
$(NASM) $(NASMFLAGS) -o $@.$$$$ $< && mv -f $@.$$$$ $@
endef

$(OBJ)/k/%.o: %.asm build/.deps-ok $(FLAGS_STAMP)
	$(ASSEMBLE)
$(OBJ)/u/%.o: %.asm build/.deps-ok $(FLAGS_STAMP)
	$(ASSEMBLE)

QEMU_RUN = $(PYTHON) grader/qemu.py --build $(B) $(if $(KVM),--kvm) $(if $(ICOUNT),--icount)

qemu qemu-nox: all
	$(QEMU_RUN) --interactive -- $(RUN_ARGS)

qemu-gdb: all $(B)/gdbinit
	@echo "QEMU is halted and waits for GDB on port $(GDBPORT): run 'make gdb' in another terminal."
	$(QEMU_RUN) --interactive --gdb $(GDBPORT) -- $(RUN_ARGS)

gdb: $(B)/gdbinit
	$(GDB) -q -x $(B)/gdbinit

# The GDB script: symbols of the kernel and of every user program (each is
# linked at its own address), then the connection to QEMU.
# Written anew every time, so that GDBPORT=... on the command line counts.
$(B)/gdbinit: FORCE
	@mkdir -p $(@D)
	@{ echo "# generated by 'make $@'; loaded by 'make gdb'"; \
	   echo "set confirm off"; \
	   echo "set architecture i386"; \
	   echo "file $(B)/kernel.elf"; \
	   echo "source tools/gdb/l4lab.py"; \
	   $(foreach p,$(USER_PROGS),echo "add-symbol-file $(B)/user/$(p).elf";) \
	   echo "target remote localhost:$(GDBPORT)"; } > $@

# For editors (clangd, VS Code, CLion): every C file of your tree with the
# flags its build uses, taken from `make -nB` (tools/compile_commands.py).
# Made on request, not by every build: a SOLUTION=N build would otherwise
# overwrite it with the reference's paths.
compile_commands.json: FORCE
	@$(PYTHON) tools/compile_commands.py $@

# The demo: the complete reference system, booted once for each stage, under
# -icount so that the figures are instruction counts.
DEMO = $(PYTHON) grader/qemu.py --build build/solall --interactive --icount --
demo:
	@$(MAKE) -s all SOLUTION=all
	@echo; echo "== The foundation: user programs in ring 3; a faulting one is reported, the kernel goes on"
	@$(DEMO) 'hello l4lab demo' 'fault null' 'hello still here'
	@echo; echo "== Lab 0: the cost of a trap (a null system call)"
	@$(DEMO) 'bench_trap 1000 instructions demo'
	@echo; echo "== Lab 1: a call and its reply between two threads"
	@$(DEMO) 'bench_ipc 1000 instructions demo'
	@echo; echo "== Lab 2: a root task makes a new address space and fills it by mapping"
	@$(DEMO) 'lab2_map task demo a 0x2a 7'
	@echo; echo "== Lab 3: a user-level pager (paged by sigma0's frames) copies a region copy-on-write,"
	@echo "   refuses a write to a read-only region, and the cost of a fault it resolves"
	@$(DEMO) 'sigma0' 'lab3_pager cow demo 8 7'
	@$(DEMO) 'sigma0' 'lab3_pager readonly demo 4 7'
	@$(DEMO) 'sigma0' 'bench_pf 200 instructions demo'
	@echo; echo "== Lab 4: exceptions (a breakpoint, int 0x80, cli) reach a user-level handler,"
	@echo "   which resumes the thread; the cost of that, and of an interrupt reaching a user driver"
	@$(DEMO) 'lab4_exc traps demo 7'
	@$(DEMO) 'bench_exc 200 instructions demo'
	@$(DEMO) 'bench_irq 200 instructions demo'
	@echo; echo "== Lab 5: unmodified static Linux programs under the Linux server: a shell script"
	@echo "   with a pipeline, a redirection and a program killed by a signal; a system call's cost"
	@$(DEMO) sigma0 serial_drv 'linux /bin/sh /etc/demo.sh' rootfs.cpio
	@$(DEMO) sigma0 serial_drv 'linux /bin/lxbench getpid 200 instructions' rootfs.cpio

# Lab 5: the complete reference kernel, sigma0, the serial driver, the
# Linux server and the root file system (user/linux-progs/, a cpio
# archive), running CMD: by default /bin/init, a shell with a prompt on the
# console (`exit` or ^D ends it).  The make ends with the program's exit status (the server stops the machine
# with it; statuses above 124 come out as 124).
# ROOTFS_EXTRA=dir adds the files of a host directory (static i386
# programs built elsewhere, say) to the root file system, keeping their modes.
# After `make busybox` (tools/busybox) the root file system is
# rootfs-busybox.cpio, the same plus busybox and its applets, and CMD's
# default is busybox's sh as a login shell (it reads /etc/profile);
# BUSYBOX=no boots our own programs only.
BUSYBOX ?= $(if $(wildcard build/busybox/applets),yes,no)
ROOTFS := $(if $(filter yes,$(BUSYBOX)),rootfs-busybox,rootfs)
CMD ?= $(if $(filter yes,$(BUSYBOX)),/bin/sh -l,/bin/init)
ROOTFS_EXTRA ?=
linux:
	@$(MAKE) -s all SOLUTION=all
ifeq ($(ROOTFS_EXTRA),)
	@$(PYTHON) grader/qemu.py --build build/solall --interactive --status -- \
	    sigma0 serial_drv 'linux $(CMD)' $(ROOTFS).cpio
else
	@rm -rf build/solall/rootfs-extra && cp -a build/solall/$(ROOTFS) build/solall/rootfs-extra
	@cp -a $(ROOTFS_EXTRA)/. build/solall/rootfs-extra/
	@cd build/solall/rootfs-extra && find . | LC_ALL=C sort | cpio -o -H newc --quiet > ../user/rootfs-extra.cpio
	@$(PYTHON) grader/qemu.py --build build/solall --interactive --status -- \
	    sigma0 serial_drv 'linux $(CMD)' rootfs-extra.cpio
endif

# Busybox, a real program nobody here wrote, in the root file system of
# `make linux` and of the busybox tests (tools/busybox says how).
busybox:
	@MAKE="$(MAKE)" tools/busybox
	@$(MAKE) -s all SOLUTION=all

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

clean:
	rm -rf build

comma := ,
space := $(subst ,, )
RUN ?= hello
# "fault null,hello" -> "'fault null' 'hello'", one quoted word per module
RUN_ARGS = $(foreach m,$(subst $(comma), ,$(subst $(space),@,$(RUN))),'$(subst @, ,$(m))')

FORCE:
.PHONY: all tree user qemu qemu-nox qemu-gdb gdb demo linux busybox help clean FORCE
.DELETE_ON_ERROR:
.SECONDARY:
