package server

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// promContentType is the Prometheus text exposition format, version 0.0.4.
const promContentType = "text/plain; version=0.0.4; charset=utf-8"

// promWriter writes metrics in the Prometheus text format. The kubelet's
// metric sets are small and fixed, so a writer this size is all they need.
type promWriter struct {
	b bytes.Buffer
}

// family writes a metric family's HELP and TYPE lines; its samples follow.
func (p *promWriter) family(name, help, typ string) {
	p.b.WriteString("# HELP " + name + " " + help + "\n")
	p.b.WriteString("# TYPE " + name + " " + typ + "\n")
}

// sample writes one sample; labels are name, value pairs; a zero ts writes
// no timestamp.
func (p *promWriter) sample(name string, value float64, ts time.Time, labels ...string) {
	p.b.WriteString(name)
	if len(labels) > 0 {
		p.b.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				p.b.WriteByte(',')
			}
			p.b.WriteString(labels[i])
			p.b.WriteString(`="`)
			p.b.WriteString(escapeLabel(labels[i+1]))
			p.b.WriteByte('"')
		}
		p.b.WriteByte('}')
	}
	p.b.WriteByte(' ')
	p.b.WriteString(strconv.FormatFloat(value, 'g', -1, 64))
	if !ts.IsZero() {
		p.b.WriteByte(' ')
		p.b.WriteString(strconv.FormatInt(ts.UnixMilli(), 10))
	}
	p.b.WriteByte('\n')
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(v string) string { return labelEscaper.Replace(v) }
