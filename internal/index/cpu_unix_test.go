//go:build unix

package index

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, user and system: on a busy
// machine, throughput per CPU second says more than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
