package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// readJSON reads a request body into dst (a pointer to a wire struct)
// strictly: at most maxBody bytes (413), one JSON value (400), no field
// that dst does not have, every field without omitempty present, and each
// of the JSON type its Go field has (422, with the field's path, as
// "lines[2].vat_rate_bp"). encoding/json's own errors name no such path,
// so the shape is checked here first, against dst's type.
func readJSON(w http.ResponseWriter, r *http.Request, maxBody int64, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "the body must be application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return err // *http.MaxBytesError → 413
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return &apiError{Status: http.StatusBadRequest, Code: "bad_json", Message: "the body is not valid JSON"}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &apiError{Status: http.StatusBadRequest, Code: "bad_json", Message: "the body holds more than one JSON value"}
	}
	if e := checkShape(tree, reflect.TypeOf(dst).Elem(), ""); e != nil {
		return e
	}
	if err := json.Unmarshal(body, dst); err != nil {
		// The shape was checked; what is left is a number out of range.
		return invalid("", "a value is out of range")
	}
	return nil
}

// checkShape compares a decoded JSON value with the Go type it is to be
// read into.
func checkShape(v any, t reflect.Type, path string) *apiError {
	switch t.Kind() {
	case reflect.Pointer:
		if v == nil {
			return nil
		}
		return checkShape(v, t.Elem(), path)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return invalid(path, "must be an object")
		}
		known := map[string]bool{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			known[name] = true
			val, present := m[name]
			if !present || val == nil {
				if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
					return &apiError{Status: http.StatusUnprocessableEntity, Code: "missing_field",
						Message: "this field is required", Field: join(path, name)}
				}
				continue
			}
			if e := checkShape(val, f.Type, join(path, name)); e != nil {
				return e
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !known[k] {
				return &apiError{Status: http.StatusUnprocessableEntity, Code: "unknown_field",
					Message: "no such field", Field: join(path, k)}
			}
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return invalid(path, "must be an array")
		}
		for i, x := range arr {
			if e := checkShape(x, t.Elem(), path+"["+strconv.Itoa(i)+"]"); e != nil {
				return e
			}
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			return invalid(path, "must be a string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return invalid(path, "must be true or false")
		}
	case reflect.Int, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return invalid(path, "must be an integer")
		}
		if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			return invalid(path, "must be an integer (money in cents, rates in basis points)")
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
