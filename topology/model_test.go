package topology

import "testing"

func TestParsePortRange(t *testing.T) {
	tests := []struct {
		in      string
		want    PortRange
		wantErr string
	}{
		{in: "443", want: PortRange{443, 443}},
		{in: " 8080 - 8090 ", want: PortRange{8080, 8090}},
		{in: "*", want: AllPorts},
		{in: "0-65535", want: PortRange{0, 65535}},
		{in: "ssh", wantErr: `port "ssh" is not a number, a range "LOW-HIGH" or "*"`},
		{in: "70000", wantErr: `port 70000 out of range [0, 65535]`},
		{in: "99999999999999999999", wantErr: `port 99999999999999999999 out of range [0, 65535]`},
		{in: "80-70000", wantErr: `port 70000 out of range [0, 65535]`},
		{in: "-1-22", wantErr: `port range "-1-22": a port cannot be negative; expected "LOW-HIGH" with LOW and HIGH in [0, 65535]`},
		{in: "1--2", wantErr: `port range "1--2": a port cannot be negative; expected "LOW-HIGH" with LOW and HIGH in [0, 65535]`},
		{in: "1-", wantErr: `port range "1-": expected "LOW-HIGH" with LOW and HIGH in [0, 65535]`},
		{in: "80-https", wantErr: `port range "80-https": "https" is not a number; expected "LOW-HIGH" with LOW and HIGH in [0, 65535]`},
		{in: "90-80", wantErr: `port range "90-80" is reversed; did you mean "80-90"?`},
	}
	for _, tt := range tests {
		got, err := ParsePortRange(tt.in)
		switch {
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("ParsePortRange(%q) = %v, %v, want error %s", tt.in, got, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("ParsePortRange(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
}
