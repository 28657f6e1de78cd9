# A busybox test guest for the tests that boot one under QEMU (TCG): the host's kernel, an initramfs made here, and its libvirt definition.
# The caller defines fail() and $tmp (a folder of its own that QEMU's user can reach) first.

# guest_kernel: the last readable /boot/vmlinuz-* in $guest_kernel and its version in
# $guest_kver; status 1 when there is none.
guest_kernel() {
	local k
	guest_kernel= guest_kver=
	for k in /boot/vmlinuz-*; do [ -r "$k" ] && guest_kernel=$k; done
	[ -n "$guest_kernel" ] || return 1
	guest_kver=${guest_kernel#/boot/vmlinuz-}
}

# guest_files [MODULE...] <INIT: $tmp/vmlinuz and $tmp/initrd.gz, a busybox initramfs whose /init
# mounts /dev, /proc and /sys, loads the kernel's MODULEs (compressed or not; built-in ones are
# left out) in that order, then runs the shell text read from stdin. Copies, since libvirt may
# relabel the files it boots.
guest_files() {
	local m f r=$tmp/guest-root loaded=()
	guest_kernel || fail "no kernel in /boot: make deps-test installs linux-image-cloud-amd64"
	rm -rf "$r"
	mkdir -p "$r/bin" "$r/dev" "$r/proc" "$r/sys" "$r/mod"
	cp /bin/busybox "$r/bin/busybox" || fail "no /bin/busybox: make deps-test"
	for m in "$@"; do
		f=$(modinfo -k "$guest_kver" -n "$m" 2>/dev/null) || fail "no module $m for $guest_kver"
		case $f in
		*'(builtin)'*) continue ;;
		*.ko) cp "$f" "$r/mod/$m.ko" ;;
		*.ko.xz) xz -dc "$f" >"$r/mod/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$r/mod/$m.ko" ;;
		*) false ;;
		esac || fail "cannot copy the module $f"
		loaded+=("$m")
	done
	{
		printf '#!/bin/busybox sh\n'
		printf '/bin/busybox mount -t devtmpfs dev /dev\n'
		printf '/bin/busybox mount -t proc proc /proc\n'
		printf '/bin/busybox mount -t sysfs sys /sys\n'
		for m in "${loaded[@]}"; do printf '/bin/busybox insmod /mod/%s.ko\n' "$m"; done
		cat
	} >"$r/init"
	chmod 755 "$r/init"
	(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/initrd.gz" || fail "initramfs"
	cp "$guest_kernel" "$tmp/vmlinuz" && chmod 644 "$tmp/vmlinuz" "$tmp/initrd.gz" ||
		fail "copy $guest_kernel"
}

# guest_define URI NAME DISK [KEY=VALUE...]: define on URI a one-vCPU TCG guest NAME that boots
# guest_files, with the raw image DISK as vda and its serial console written to $tmp/NAME.serial
# (its definition in $tmp/NAME.xml). KEY=VALUE: mem=MIB (128), cmdline=TEXT ("console=ttyS0
# quiet"), nic=bridge:BRIDGE or nic=user:MAC (no card), vnc=PORT (none), append=on (the log
# goes on across restarts and migrations), reboot=destroy (a reboot ends it).
guest_define() {
	local uri=$1 name=$2 disk=$3 mem=128 cmdline="console=ttyS0 quiet" nic= vnc= append= reboot= a
	shift 3
	for a in "$@"; do
		case $a in
		mem=*) mem=${a#*=} ;;
		cmdline=*) cmdline=${a#*=} ;;
		nic=*) nic=${a#*=} ;;
		vnc=*) vnc=${a#*=} ;;
		append=*) append=${a#*=} ;;
		reboot=*) reboot=${a#*=} ;;
		*) fail "guest_define: unknown setting $a" ;;
		esac
	done
	{
		cat <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>$mem</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$tmp/vmlinuz</kernel><initrd>$tmp/initrd.gz</initrd>
    <cmdline>$cmdline</cmdline></os>
XML
		[ -n "$reboot" ] && echo "  <on_reboot>$reboot</on_reboot>"
		cat <<XML
  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/>
      <source file='$disk'/><target dev='vda' bus='virtio'/></disk>
XML
		case $nic in
		bridge:*) echo "    <interface type='bridge'><source bridge='${nic#bridge:}'/><model type='virtio'/></interface>" ;;
		user:*) echo "    <interface type='user'><mac address='${nic#user:}'/><model type='virtio'/></interface>" ;;
		'') ;;
		*) fail "guest_define: unknown card $nic" ;;
		esac
		echo "    <serial type='file'><source path='$tmp/$name.serial'${append:+ append='$append'}/><target port='0'/></serial>"
		[ -n "$vnc" ] && echo "    <graphics type='vnc' port='$vnc' autoport='no' listen='127.0.0.1'/>"
		echo "  </devices>"
		echo "</domain>"
	} >"$tmp/$name.xml"
	virsh -q -c "$uri" define "$tmp/$name.xml" >/dev/null || fail "cannot define $name on $uri"
}
