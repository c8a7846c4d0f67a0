// Package measure holds what the benchmarks of the AWS paths measure besides
// wall time: the emulator's own capacity and the process's peak memory.
package measure

import (
	"context"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"golang.org/x/sync/errgroup"
)

// EmulatorCapacity measures how many simple reads per second the emulator
// serves with no added latency: above it, the emulator, not baseline, sets
// the pace, and the benchmarks say so.
func EmulatorCapacity(ctx context.Context, cfg aws.Config, conc, calls int) (float64, error) {
	api := ec2.NewFromConfig(cfg)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(conc)
	start := time.Now()
	for i := 0; i < calls; i++ {
		g.Go(func() error {
			_, err := api.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	return float64(calls) / time.Since(start).Seconds(), nil
}

// PeakRSSMB is the process's peak resident memory.
func PeakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}
