package modeler

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxName is the longest name, email or id field (in characters).
const MaxName = 255

// File types (stored and returned in lower case, accepted in any case).
const (
	TypeBPMN     = "bpmn"
	TypeDMN      = "dmn"
	TypeForm     = "form"
	TypeTemplate = "connector_template"
)

const fileTypePattern = "bpmn|dmn|form|connector_template"

// Collaborator roles.
var roles = map[string]bool{"project_admin": true, "editor": true, "viewer": true, "commenter": true}

const rolePattern = "project_admin|editor|viewer|commenter"

// ParseID returns the canonical (lower-case) form of a UUID, or false.
func ParseID(s string) (string, bool) {
	if len(s) != 36 {
		return "", false // only the 8-4-4-4-12 form, no urn: or braces
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// NewID returns a random (version 4) UUID.
func NewID() string { return uuid.NewString() }

// checkName validates a required or optional name-like field: not blank, 1..255
// characters, no control characters.
func checkName(errs *fieldErrs, field string, v *string, required bool) {
	if v == nil {
		if required {
			errs.add(field, "must not be blank")
		}
		return
	}
	s := *v
	switch n := utf8.RuneCountInString(s); {
	case strings.TrimSpace(s) == "" && required:
		errs.add(field, "must not be blank")
	case n < 1 || n > MaxName:
		errs.add(field, "size must be between 1 and 255")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		errs.add(field, "must not contain control characters")
	}
}

// checkRef validates an optional id reference field (1..255 characters).
func checkRef(errs *fieldErrs, field string, v *string) {
	if v != nil {
		if n := utf8.RuneCountInString(*v); n < 1 || n > MaxName {
			errs.add(field, "size must be between 1 and 255")
		}
	}
}

// normType returns the stored form of a file type, or "".
func normType(t string) string {
	switch l := strings.ToLower(t); l {
	case TypeBPMN, TypeDMN, TypeForm, TypeTemplate:
		return l
	}
	return ""
}

func checkEmail(errs *fieldErrs, field, v string) {
	switch n := utf8.RuneCountInString(v); {
	case strings.TrimSpace(v) == "":
		errs.add(field, "must not be blank")
	case n > MaxName:
		errs.add(field, "size must be between 1 and 255")
	default:
		if a, err := mail.ParseAddress(v); err != nil || a.Address != v || a.Name != "" {
			errs.add(field, "must be a well-formed email address")
		}
	}
}

// Content errors (the "content" field's message).
var (
	errDOCTYPE  = errors.New("must not contain a document type declaration")
	errNotXML   = errors.New("must be well-formed XML")
	errRoot     = errors.New("must have a definitions root element")
	errNotJSON  = errors.New("must be a JSON object")
	errTemplate = errors.New("must be a valid element template")
)

// checkXML accepts well-formed XML whose root element is <definitions> (BPMN and
// DMN), refusing any DOCTYPE: encoding/xml never expands entities, and refusing the
// declaration outright keeps DTD tricks out of the store. Nothing is expanded or
// fetched.
func checkXML(content string) error {
	d := xml.NewDecoder(strings.NewReader(content))
	d.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return errNotXML
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.ToUpper(bytes.TrimSpace(t)), []byte("DOCTYPE")) {
				return errDOCTYPE
			}
			return errNotXML
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 || t.Name.Local != "definitions" {
					return errRoot
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return errNotXML
			}
		}
	}
	if roots != 1 || depth != 0 {
		return errNotXML
	}
	// RawToken does not match end tags to start tags: a second, checking pass.
	d = xml.NewDecoder(strings.NewReader(content))
	d.Strict = true
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return errNotXML
		}
	}
}

// checkJSONObject accepts one JSON object and nothing after it.
func checkJSONObject(content string) error {
	d := json.NewDecoder(strings.NewReader(content))
	var v map[string]json.RawMessage
	if err := d.Decode(&v); err != nil || v == nil {
		return errNotJSON
	}
	if _, err := d.Token(); err != io.EOF {
		return errNotJSON
	}
	return nil
}

// checkContent validates content of a file type (templates are checked when rewritten).
func checkContent(typ, content string) error {
	switch typ {
	case TypeBPMN, TypeDMN:
		return checkXML(content)
	case TypeForm:
		return checkJSONObject(content)
	}
	return nil
}
