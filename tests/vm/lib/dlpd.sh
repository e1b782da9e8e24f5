# tests/vm/lib/dlpd.sh - starting dlpd in a guest test (busybox sh), sourced after vmtest.sh:
#   . tests/vm/lib/dlpd.sh
# The test sets $log, the decision log, and ships build/dlpd and build/dlpctl.

# dlpd_start POLICY [OPTION...]: run build/dlpd in the background with POLICY, the log
# $log and the OPTIONs; wait (at most 60 s) until it says it enforces (or found the pins)
# and its control socket answers. Sets dlpd_pid; its output is in /tmp/dlpd.out, emptied
# here and not by the background job, which may start late.
dlpd_start() {
	dlpd_policy=$1
	shift
	: >/tmp/dlpd.out
	build/dlpd --policy "$dlpd_policy" --log "$log" "$@" >>/tmp/dlpd.out 2>&1 &
	dlpd_pid=$!
	dlpd_i=0
	while [ $dlpd_i -lt 60 ]; do
		grep -q -e "enforcing" -e "found pinned" /tmp/dlpd.out &&
			build/dlpctl status >/dev/null 2>&1 && return 0
		kill -0 "$dlpd_pid" 2>/dev/null || break
		sleep 1
		dlpd_i=$((dlpd_i + 1))
	done
	cat /tmp/dlpd.out
	return 1
}

# dlpd_generation: the generation of the policy in force, as `dlpctl status --json` says.
dlpd_generation() {
	build/dlpctl status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'
}
