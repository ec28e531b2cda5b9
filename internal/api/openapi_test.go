package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// contract checks requests and answers against the OpenAPI document: the
// operation must be documented, the request body must satisfy its schema,
// and the answer's status must be documented with a JSON schema that the
// body satisfies. The schemas are compiled from the document itself with a
// JSON Schema 2020-12 validator (OpenAPI 3.1's dialect).
type contract struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	cache    map[string]*jsonschema.Schema
	inline   int
}

const docURL = "mem://openapi.json"

func newContract(t testing.TB) *contract {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	res, err := jsonschema.UnmarshalJSON(bytes.NewReader(OpenAPI()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat() // dates, times and emails are part of the contract
	if err := c.AddResource(docURL, res); err != nil {
		t.Fatal(err)
	}
	return &contract{doc: doc, compiler: c, cache: map[string]*jsonschema.Schema{}}
}

// schema compiles a schema object of the document: a $ref into
// components, or an inline schema (added as a resource of its own).
func (c *contract) schema(s map[string]any) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	url := ""
	if ref, ok := s["$ref"].(string); ok {
		url = docURL + ref
	} else {
		b, _ := json.Marshal(s)
		url = "mem://inline/" + string(b)
		if cached, ok := c.cache[url]; ok {
			return cached, nil
		}
		c.inline++
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		name := "mem://inline/" + strconv.Itoa(c.inline) + ".json"
		if err := c.compiler.AddResource(name, v); err != nil {
			return nil, err
		}
		sch, err := c.compiler.Compile(name)
		c.cache[url] = sch
		return sch, err
	}
	if cached, ok := c.cache[url]; ok {
		return cached, nil
	}
	sch, err := c.compiler.Compile(url)
	c.cache[url] = sch
	return sch, err
}

// operation finds the documented operation of a method and path.
func (c *contract) operation(method, path string) (map[string]any, error) {
	path, _, _ = strings.Cut(path, "?")
	paths := c.doc["paths"].(map[string]any)
	for tmpl, item := range paths {
		if !pathMatches(tmpl, path) {
			continue
		}
		op, ok := item.(map[string]any)[strings.ToLower(method)].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s %s: method not documented for %s", method, path, tmpl)
		}
		return op, nil
	}
	return nil, fmt.Errorf("%s %s: path not documented", method, path)
}

// deref follows a $ref to #/components/… in the document.
func (c *contract) deref(v map[string]any) map[string]any {
	ref, ok := v["$ref"].(string)
	if !ok {
		return v
	}
	cur := any(c.doc)
	for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = cur.(map[string]any)[p]
	}
	return cur.(map[string]any)
}

func jsonSchemaOf(content any) (map[string]any, bool) {
	m, ok := content.(map[string]any)
	if !ok {
		return nil, false
	}
	j, ok := m["application/json"].(map[string]any)
	if !ok {
		return nil, false
	}
	s, ok := j["schema"].(map[string]any)
	return s, ok
}

// checkRequest validates a request body against the operation's schema;
// it returns the validation error (nil when the body conforms).
func (c *contract) checkRequest(method, path string, body []byte) (error, error) {
	op, err := c.operation(method, path)
	if err != nil {
		return nil, err
	}
	rb, ok := op["requestBody"].(map[string]any)
	if !ok {
		if len(body) > 0 {
			return nil, fmt.Errorf("%s %s: sent a body, but none is documented", method, path)
		}
		return nil, nil
	}
	s, ok := jsonSchemaOf(rb["content"])
	if !ok {
		return nil, fmt.Errorf("%s %s: request body has no JSON schema", method, path)
	}
	sch, err := c.schema(s)
	if err != nil {
		return nil, err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err, nil // not JSON at all: not valid
	}
	return sch.Validate(v), nil
}

// checkResponse validates an answer against the operation's documented
// response of its status.
func (c *contract) checkResponse(method, path string, status int, header http.Header, body []byte) error {
	op, err := c.operation(method, path)
	if err != nil {
		return err
	}
	resp, ok := op["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
	if !ok {
		return fmt.Errorf("%s %s: status %d not documented", method, path, status)
	}
	resp = c.deref(resp)
	s, ok := jsonSchemaOf(resp["content"])
	if !ok {
		return fmt.Errorf("%s %s %d: no JSON schema documented", method, path, status)
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("%s %s %d: Content-Type %q", method, path, status, ct)
	}
	sch, err := c.schema(s)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s %d: answer is not JSON: %v", method, path, status, err)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%s %s %d: answer does not match the schema: %v\n%s", method, path, status, err, body)
	}
	return nil
}

// TestOpenAPIDocument: the document is OpenAPI 3.1, documents exactly the
// routes of the table (and nothing else), has the bearer scheme and the
// error shape, and every schema in it compiles.
func TestOpenAPIDocument(t *testing.T) {
	c := newContract(t)
	if v := c.doc["openapi"]; v != "3.1.0" {
		t.Errorf("openapi = %v", v)
	}
	comps := c.doc["components"].(map[string]any)
	bearer, _ := comps["securitySchemes"].(map[string]any)["bearer"].(map[string]any)
	if bearer["type"] != "http" || bearer["scheme"] != "bearer" {
		t.Errorf("bearer scheme: %v", bearer)
	}
	for name := range comps["schemas"].(map[string]any) {
		if _, err := c.schema(map[string]any{"$ref": "#/components/schemas/" + name}); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
	s := &Server{}
	documented := map[string]bool{}
	for p, item := range c.doc["paths"].(map[string]any) {
		for m, op := range item.(map[string]any) {
			if m == "parameters" {
				continue
			}
			documented[strings.ToUpper(m)+" "+p] = true
			// Every operation documents 401 (unless public) and its errors
			// with the one error shape.
			for code, r := range op.(map[string]any)["responses"].(map[string]any) {
				if code[0] >= '4' {
					if ref, _ := r.(map[string]any)["$ref"].(string); !strings.HasPrefix(ref, "#/components/responses/") {
						t.Errorf("%s %s %s: error answer is not a shared error response", m, p, code)
					}
				}
			}
		}
	}
	var routes []string
	for _, rt := range s.routes() {
		routes = append(routes, rt.method+" "+rt.pattern)
		if !documented[rt.method+" "+rt.pattern] {
			t.Errorf("route %s %s is not in openapi.json", rt.method, rt.pattern)
		}
	}
	for k := range documented {
		if !slices.Contains(routes, k) {
			t.Errorf("openapi.json documents %s, which is no route", k)
		}
	}
	errSchema, err := c.schema(map[string]any{"$ref": "#/components/schemas/Error"})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"error":{"code":"invalid","message":"x","field":"lines[2].vat_rate_bp"}}`))
	if err := errSchema.Validate(good); err != nil {
		t.Errorf("error shape refused: %v", err)
	}
}
