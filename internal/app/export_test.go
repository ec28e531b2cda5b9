package app

import (
	"context"
	"slices"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestExportCoversEveryTable reads the schema's tables from the database
// and requires each to have a section in the data download
// (ExportSections) or a reason why it holds none of a person's data
// (ExportExempt), so a table added later cannot be forgotten. A table in
// both lists, or listed but gone, is an error too.
func TestExportCoversEveryTable(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		schema, err := db.Schema(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for name := range schema {
			tables = append(tables, name)
		}
		slices.Sort(tables)
		for _, name := range tables {
			section, covered := ExportSections[name]
			why, exempt := ExportExempt[name]
			switch {
			case covered && exempt:
				t.Errorf("table %s is both in the download (%s) and exempt (%s)", name, section, why)
			case !covered && !exempt:
				t.Errorf("table %s has no section in the data download and no reason why it holds no personal data", name)
			case covered && section == "", exempt && why == "":
				t.Errorf("table %s: the section or the reason is empty", name)
			}
		}
		for name := range ExportSections {
			if _, ok := schema[name]; !ok {
				t.Errorf("the download lists table %s, which the schema does not have", name)
			}
		}
		for name := range ExportExempt {
			if _, ok := schema[name]; !ok {
				t.Errorf("the exempt list names table %s, which the schema does not have", name)
			}
		}
	})
}
