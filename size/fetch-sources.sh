#!/bin/sh
# fetch-sources.sh DIR PACKAGE... - Debian's source packages, unpacked.
#
# Each PACKAGE (mbedtls, bearssl) is fetched with `apt-get source` and
# unpacked with dpkg-source (Debian's patches applied) into DIR/PACKAGE,
# its version in DIR/PACKAGE.version.  Nothing under /etc or /var
# changes: the deb-src lines are written into DIR/apt/sources.list,
# derived from the Debian repositories this machine already uses, and apt
# is pointed at them and at its own lists and cache under DIR/apt with
# -o options.  No root is needed.  The version is the one of the
# installed -dev package when there is one, so the tailored build is the
# same code as the prebuilt archive; otherwise the newest.
# A package already unpacked at that version is left alone.
set -eu
dir=$1
shift
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
apt=$dir/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts" \
	"$dir/download"

opts="-o Dir::Etc::SourceList=$apt/sources.list
-o Dir::Etc::SourceParts=$apt/parts
-o Dir::State::Lists=$apt/lists
-o Dir::Cache=$apt/cache
-o Debug::NoLocking=1"
[ "$(id -u)" -ne 0 ] || opts="$opts -o APT::Sandbox::User=root"

dev_package() {
	case $1 in
	mbedtls) echo libmbedtls-dev ;;
	bearssl) echo libbearssl-dev ;;
	*) echo "$1" ;;
	esac
}

installed_version() {
	dpkg-query -W -f='${Version}' "$(dev_package "$1")" 2>/dev/null || true
}

# Is every package already unpacked at the version we would fetch?
fresh=yes
for pkg; do
	want=$(installed_version "$pkg")
	if [ ! -d "$dir/$pkg" ] || [ -z "$want" ] ||
		[ "$(cat "$dir/$pkg.version" 2>/dev/null)" != "$want" ]; then
		fresh=no
	fi
done
[ "$fresh" = no ] || exit 0

# deb-src lines for the Debian repositories apt already knows.
apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
	'Origin: Debian' 'Created-By: Packages' | sort -u |
	sed 's/^/deb-src /' >"$apt/sources.list.tmp"
if [ ! -s "$apt/sources.list.tmp" ]; then
	echo "fetch-sources.sh: apt knows no Debian repository (apt-get update?)" >&2
	exit 1
fi
mv "$apt/sources.list.tmp" "$apt/sources.list"
# shellcheck disable=SC2086
apt-get $opts -qq update

for pkg; do
	want=$(installed_version "$pkg")
	spec=$pkg${want:+=$want}
	# shellcheck disable=SC2086
	(cd "$dir/download" && apt-get $opts -qq source --download-only "$spec")
	dsc=$(ls -t "$dir/download/${pkg}_"*.dsc | head -n 1)
	[ -n "$want" ] || want=$(sed -n 's/^Version: //p' "$dsc")
	rm -rf "$dir/$pkg" "$dir/$pkg.version"
	# apt-get checked the files against the signed index: skip gpgv.
	dpkg-source --no-check -x "$dsc" "$dir/$pkg" >/dev/null
	echo "$want" >"$dir/$pkg.version"
done
