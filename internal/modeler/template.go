package modeler

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// TemplateSchema is what "$schema" of every connector template is set to.
const TemplateSchema = "https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json"

// member is one key of a JSON object, in document order.
type member struct {
	key string
	val json.RawMessage
}

// parseObject reads one JSON object keeping its key order; duplicate keys are refused.
func parseObject(content string) ([]member, error) {
	d := json.NewDecoder(strings.NewReader(content))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, errNotJSON
	}
	var out []member
	seen := map[string]bool{}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, errNotJSON
		}
		k, _ := t.(string)
		if seen[k] {
			return nil, errNotJSON
		}
		seen[k] = true
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, errNotJSON
		}
		out = append(out, member{k, v})
	}
	if t, err := d.Token(); err != nil || t != json.Delim('}') {
		return nil, errNotJSON
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errNotJSON
	}
	return out, nil
}

func set(ms []member, key string, v any) []member {
	b, _ := json.Marshal(v)
	for i := range ms {
		if ms[i].key == key {
			ms[i].val = b
			return ms
		}
	}
	return append(ms, member{key, b})
}

func get(ms []member, key string) json.RawMessage {
	for _, m := range ms {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// templateVersion reads "version" of stored template content (0 when absent).
func templateVersion(content string) int64 {
	ms, err := parseObject(content)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(string(get(ms, "version")), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// rewriteTemplate checks a connector template and sets the fields the server owns:
// $schema, id (the file id), name (the file name wins) and version.
func rewriteTemplate(content, fileID, name string, version int64) (string, error) {
	ms, err := parseObject(content)
	if err != nil {
		return "", err
	}
	// A light structural check in place of the full element-templates schema, which
	// is not fetched: the shapes every template needs must be right when present.
	if v := get(ms, "properties"); v != nil {
		var ps []map[string]json.RawMessage
		if json.Unmarshal(v, &ps) != nil {
			return "", errTemplate
		}
	}
	if v := get(ms, "appliesTo"); v != nil {
		var as []string
		if json.Unmarshal(v, &as) != nil {
			return "", errTemplate
		}
	}
	ms = set(ms, "$schema", TemplateSchema)
	ms = set(ms, "name", name)
	ms = set(ms, "id", fileID)
	ms = set(ms, "version", version)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.val)
	}
	b.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return "", errNotJSON
	}
	return out.String(), nil
}
