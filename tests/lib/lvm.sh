# LVM kept to a test's own disks: its configuration, backups and archives in a folder of the test, never /etc/lvm.

# lvm_private DIR: every LVM command from here on (the test's, and those of the programs it
# runs, libvirtd's included) reads its configuration from DIR and writes its backups there.
lvm_private() {
	export LVM_SYSTEM_DIR=$1
	mkdir -p "$LVM_SYSTEM_DIR" || return 1
	lvm_accept
}

# lvm_accept DEVICE...: LVM looks at these devices and their partitions only; none before the
# first is attached.
lvm_accept() {
	local accept="" l
	for l in "$@"; do accept+="\"a|^$l(p[0-9]+)?\$|\", "; done
	cat >"$LVM_SYSTEM_DIR/lvm.conf" <<CONF
devices { filter = [ $accept"r|.*|" ] use_devicesfile = 0 }
backup { backup = 1 backup_dir = "$LVM_SYSTEM_DIR/backup" archive = 1 archive_dir = "$LVM_SYSTEM_DIR/archive" }
CONF
}
