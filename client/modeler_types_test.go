package client

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The Web Modeler API writes times in UTC with exactly three fraction digits and a
// project root's folder id as null; the SDK reads back what it wrote.
func TestModelerWireValues(t *testing.T) {
	at := time.Date(2026, 12, 8, 1, 2, 3, 100_000_000, time.FixedZone("x", 3600))
	for _, tc := range []struct {
		name string
		in   FileMetadata
		want string // a substring of the encoding
	}{
		{"millisecond UTC time", FileMetadata{Created: Time{at}}, `"created":"2026-12-08T00:02:03.100Z"`},
		{"zero fraction keeps three digits", FileMetadata{Created: Time{at.Truncate(time.Second)}}, `"created":"2026-12-08T00:02:03.000Z"`},
		{"root folder is null", FileMetadata{}, `"folderId":null`},
		{"folder id", FileMetadata{FolderID: "f-1"}, `"folderId":"f-1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b) || !strings.Contains(string(b), tc.want) {
				t.Fatalf("encoding %s lacks %s", b, tc.want)
			}
			var back FileMetadata
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back.FolderID != tc.in.FolderID || !back.Created.Equal(tc.in.Created.Truncate(time.Millisecond)) {
				t.Fatalf("round trip: %+v, want %+v", back, tc.in)
			}
		})
	}
	var bad Time
	if err := json.Unmarshal([]byte(`"yesterday"`), &bad); err == nil {
		t.Fatal("a time that is not RFC 3339 was accepted")
	}
}
