#!/bin/sh
# install-config.sh SOURCE_CONF SYSCONFDIR - run by `meson install`: put the
# commented configuration in SYSCONFDIR/sawt/sawt.conf, naming the unit's
# state directory (/var/lib/sawt), unless a configuration is already there.
# An operator's file (election, modems, secrets) survives a reinstall or an
# upgrade; the new example is always in PREFIX/share/doc/sawt/examples.
set -eu
src=$1
dest="${DESTDIR:-}$2/sawt/sawt.conf"
if [ -e "$dest" ]; then
	echo "sawt: keeping the existing configuration \"$dest\" (the example of this version: share/doc/sawt/examples/sawt.conf)"
	exit 0
fi
mkdir -p "$(dirname "$dest")"
tmp="$dest.new.$$"
sed 's|^state_dir =$|state_dir = /var/lib/sawt|' "$src" >"$tmp"
chmod 0640 "$tmp"
mv "$tmp" "$dest"
echo "Installing the configuration to $dest"
