package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/secure-baseline/baseline/internal/corpus"
	"github.com/secure-baseline/baseline/internal/verify"
)

// verify times `baseline trail verify` over the corpus with the public key
// its digests are signed with: it checks every digest's signature and
// chain, then inflates and hashes every log file. The target is at least
// 70 % of the throughput of sha256sum over the same gzip files, which
// hashes the compressed bytes only; zcat | sha256sum does the work the
// digests call for, hashing the JSON.
func (b *bench) verify() (result, error) {
	if b.m.Digests == 0 {
		return result{}, errors.New("the corpus has no digest files")
	}
	out := filepath.Join(b.tmp, "verify.json")
	if err := os.Remove(out); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return result{}, err
	}
	cmd := exec.Command(b.bin, "trail", "verify", b.dir, "--public-keys", filepath.Join(b.dir, corpus.PublicKeysName),
		"--format", "json", "-o", out)
	r, err := b.exec(cmd, func(_, _ []byte, r *result) error {
		valid, bad, err := readVerify(out)
		switch {
		case err != nil:
			return err
		case bad != nil:
			return problem(bad)
		case valid[verify.KindLog] != b.m.Files || valid[verify.KindDigest] != b.m.Digests:
			return fmt.Errorf("verify found %d valid log files and %d digests, the corpus has %d and %d",
				valid[verify.KindLog], valid[verify.KindDigest], b.m.Files, b.m.Digests)
		}
		r.Events, r.Hits = int64(b.m.Events), int64(valid[verify.KindLog])
		return nil
	})
	if err != nil {
		// verify exits 1 when it finds a problem: name the first one.
		if _, bad, _ := readVerify(out); bad != nil {
			err = problem(bad)
		}
	}
	return r, err
}

// readVerify reads the results verify wrote to out, one JSON object a line,
// and returns the number of valid ones by kind and the first other one.
func readVerify(out string) (valid map[verify.Kind]int, bad *verify.Result, err error) {
	f, err := os.Open(out)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	valid = map[verify.Kind]int{}
	dec := json.NewDecoder(bufio.NewReader(f))
	for {
		var res verify.Result
		if err := dec.Decode(&res); err == io.EOF {
			return valid, nil, nil
		} else if err != nil {
			return nil, nil, fmt.Errorf("verify output: %w", err)
		}
		if res.Status != verify.StatusValid {
			return valid, &res, nil
		}
		valid[res.Kind]++
	}
}

// problem is the error of a measurement in which verify reported r: a run
// counts only if every log file and every digest is valid.
func problem(r *verify.Result) error {
	return fmt.Errorf("verify reported %s %s %s: %s", r.Kind, r.Key, r.Status, r.Detail)
}
