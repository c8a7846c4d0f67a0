// Package latency puts a toxiproxy in front of a local server so every
// response arrives a fixed time late, as a distant AWS endpoint would.
package latency

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Proxy is a running latency proxy.
type Proxy struct {
	URL   string
	proxy *toxiproxy.Proxy
}

// Start proxies upstreamURL (http://host:port) through a loopback port that
// delays every response by d.
func Start(upstreamURL string, d time.Duration) (*Proxy, error) {
	u, err := url.Parse(upstreamURL)
	if err != nil {
		return nil, err
	}
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "aws", "127.0.0.1:0", u.Host)
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("start toxiproxy: %w", err)
	}
	toxic := fmt.Sprintf(`{"name":"latency","type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":%d,"jitter":0}}`, d.Milliseconds())
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(toxic)); err != nil {
		p.Stop()
		return nil, fmt.Errorf("add latency toxic: %w", err)
	}
	return &Proxy{URL: "http://" + p.Listen, proxy: p}, nil
}

// Stop closes the proxy.
func (p *Proxy) Stop() { p.proxy.Stop() }
