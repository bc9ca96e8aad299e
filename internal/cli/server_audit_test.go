package cli

import "testing"

// TestServerAuditLogPath: --audit-log-path comes from the flag, the config
// file or HANOK_AUDIT_LOG_PATH, and is off by default.
func TestServerAuditLogPath(t *testing.T) {
	tests := []struct {
		name, yaml, env string
		args            []string
		want            string
	}{
		{"default off", "", "", nil, ""},
		{"flag", "", "", []string{"--audit-log-path", "/var/log/hanok/audit.log"}, "/var/log/hanok/audit.log"},
		{"config file", "audit-log-path: /srv/audit.log\n", "", nil, "/srv/audit.log"},
		{"environment", "", "/env/audit.log", nil, "/env/audit.log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("HANOK_AUDIT_LOG_PATH", tt.env)
			}
			cfg, err := parseServer(t, tt.yaml, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.AuditLogPath != tt.want {
				t.Errorf("AuditLogPath %q, want %q", cfg.AuditLogPath, tt.want)
			}
		})
	}
}
