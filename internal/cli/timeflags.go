package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseTime reads a --since/--until value: RFC 3339, a date (YYYY-MM-DD), or
// a duration before now ("90m", "24h", "7d").
func parseTime(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	if n, ok := strings.CutSuffix(v, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days >= 0 {
			return now.Add(-time.Duration(days) * 24 * time.Hour).UTC(), nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339, YYYY-MM-DD, or a duration such as 24h or 7d)", v)
}

// timeRange reads a --since/--until pair.
func timeRange(since, until string) (time.Time, time.Time, error) {
	now := time.Now()
	s, err := parseTime(since, now)
	if err != nil {
		return s, s, usageErr("--since: %v", err)
	}
	u, err := parseTime(until, now)
	if err != nil {
		return s, u, usageErr("--until: %v", err)
	}
	if !s.IsZero() && !u.IsZero() && u.Before(s) {
		return s, u, usageErr("--until is before --since")
	}
	return s, u, nil
}
