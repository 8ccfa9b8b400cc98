#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# config: make the test kernel's .config in $KBUILD_OUT: tinyconfig, then the
# fragments in configs/ merged with the kernel's merge_config.sh, then check
# that every requested option survived olddefconfig.
#
#   config.sh [fragment...]   default: configs/qemu-x86_64.config and the
#                             options of configs/series.config that the
#                             tree defines
#   config.sh --check config fragment...    only check config
#   config.sh --series-options   print the options of $SERIES_CONFIG
#                             (configs/series.config) that the tree defines
set -eu -o pipefail
STAGE=config
. "$(dirname "$0")/lib.sh"

# Print each option that .config does not have as the fragments ask; a later
# fragment overrides an earlier one, as in merge_config.sh.
missing_options() {
	local config=$1 line opt
	local -A want=()
	shift
	while read -r line; do
		case "$line" in
		CONFIG_*=*) want[${line%%=*}]=${line#*=} ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			want[${opt%% *}]=n
			;;
		esac
	done < <(cat "$@")
	for opt in "${!want[@]}"; do
		if [ "${want[$opt]}" = n ]; then
			if grep -q "^$opt=" "$config"; then echo "$opt"; fi
		elif ! grep -qxF "$opt=${want[$opt]}" "$config"; then
			echo "$opt"
		fi
	done | sort
}

check_config() {
	local config=$1 missing
	shift
	missing=$(missing_options "$config" "$@")
	if [ -n "$missing" ]; then
		fail "$(echo "$missing" | sed 's/$/ did not survive olddefconfig/' | paste -sd';' | sed 's/;/; /g')"
	fi
}

SERIES_CONFIG=${SERIES_CONFIG:-$LAB/configs/series.config}

if [ "${1:-}" = --check ]; then
	shift
	check_config "$@"
	exit 0
fi

# Print the lines of $SERIES_CONFIG whose symbol the tree defines.
present_series_options() {
	local line sym
	while read -r line; do
		case "$line" in
		CONFIG_*=*)
			sym=${line%%=*}
			if git -C "$LINUX" grep -q -e "^config ${sym#CONFIG_}\$" -- '*Kconfig*'; then
				echo "$line"
			else
				say "${sym} is not in this tree (series not applied?); skipped" >&2
			fi
			;;
		esac
	done <"$SERIES_CONFIG"
}

if [ "${1:-}" = --series-options ]; then
	present_series_options
	exit 0
fi

if [ $# -eq 0 ]; then
	set -- "$LAB/configs/qemu-x86_64.config"
	# The series' own options (its KUnit suites) exist only once its
	# patches are applied; the file is rewritten only when it changes.
	mkdir -p "$KBUILD_OUT"
	present_series_options >"$KBUILD_OUT/series.config.new"
	if cmp -s "$KBUILD_OUT/series.config.new" "$KBUILD_OUT/series.config"; then
		rm "$KBUILD_OUT/series.config.new"
	else
		mv "$KBUILD_OUT/series.config.new" "$KBUILD_OUT/series.config"
	fi
	set -- "$@" "$KBUILD_OUT/series.config"
fi
config=$KBUILD_OUT/.config
# Remaking an unchanged .config would only cost time.
if [ -f "$config" ] && [ -z "$(find "$@" -newer "$config")" ] &&
	[ -z "$(missing_options "$config" "$@")" ]; then
	printf '%s\n' "$@" >"$KBUILD_OUT/lab-fragments"
	say "$config is up to date"
	exit 0
fi
stage_begin "tinyconfig + $(for f in "$@"; do basename "$f"; done | paste -sd' ')"
mkdir -p "$KBUILD_OUT"
make -s -C "$LINUX" O="$KBUILD_OUT" tinyconfig >/dev/null
"$LINUX/scripts/kconfig/merge_config.sh" -m -O "$KBUILD_OUT" "$KBUILD_OUT/.config" "$@" >"$KBUILD_OUT/merge_config.log"
make -s -C "$LINUX" O="$KBUILD_OUT" olddefconfig >/dev/null
check_config "$KBUILD_OUT/.config" "$@"
# What kernel.sh checks the .config against before each build
printf '%s\n' "$@" >"$KBUILD_OUT/lab-fragments"
say "all requested options set"
stage_end
