#!/bin/sh
# includes.sh SOURCE_DIR - the layers hold: every project header a file
# includes lives in its own layer or one below, and the helper layer and
# the pure core include no libevent, libpq or libgammu header.  (The build
# enforces the same through include paths; this names each offence.)
. "$(dirname "$0")/../integration/tap.sh"
cd "$1" || exit 1

layers="lib core store transport daemon cli"

# below LAYER: the layers LAYER may include from (itself and those under it)
below() {
	_out=""
	for _l in $layers; do
		_out="$_out $_l"
		[ "$_l" = "$1" ] && break
	done
	echo "$_out"
}

# layer_of HEADER: the layer whose include folder holds it, or nothing
layer_of() {
	for _l in $layers; do
		[ -f "include/$_l/$1" ] && { echo "$_l"; return; }
	done
}

for layer in $layers; do
	allowed=$(below "$layer")
	bad=""
	for f in src/$layer/*.c include/$layer/*.h; do
		[ -f "$f" ] || continue
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			[ "$h" = sawt_build.h ] && continue
			hl=$(layer_of "$h")
			case " $allowed " in
			*" $hl "*) ;;
			*) bad="$bad $f:$h(${hl:-missing})" ;;
			esac
		done
	done
	if [ -z "$bad" ]; then
		pass "$layer includes only its own layer and those below"
	else
		fail "$layer includes only its own layer and those below"
		for b in $bad; do echo "#   $b"; done
	fi
done

for layer in lib core; do
	hits=$(grep -nE '^#include <(event2/|event\.h|libpq-fe\.h|libpq/|gammu)' src/$layer/*.c include/$layer/*.h)
	if [ -z "$hits" ]; then
		pass "$layer includes no libevent, libpq or libgammu header"
	else
		fail "$layer includes no libevent, libpq or libgammu header"
		printf '%s\n' "$hits" | sed 's/^/#   /'
	fi
done

hits=$(grep -lE '^#include <libpq-fe\.h>' src/*/*.c | grep -v '^src/store/')
[ -z "$hits" ] && pass "only the store includes libpq-fe.h" || { fail "only the store includes libpq-fe.h"; echo "#   $hits"; }
hits=$(grep -lE '^#include <gammu' src/*/*.c | grep -v '^src/transport/')
[ -z "$hits" ] && pass "only the transport layer includes gammu.h" || { fail "only the transport layer includes gammu.h"; echo "#   $hits"; }
strays=$(ls src/*.c include/*.h 2>/dev/null)
[ -z "$strays" ] && pass "every source file is in a layer's folder" || { fail "every source file is in a layer's folder"; echo "#   $strays"; }
done_testing
