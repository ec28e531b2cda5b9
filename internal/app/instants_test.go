package app

import (
	"testing"

	"asiakassivu/internal/store/storetest"
)

// TestSuiteAcrossInstants runs every test of this package again at a plain
// weekday, on the night Helsinki moves to summer time and in the last
// minute of a year, so that a test or a rule that only holds on the day it
// was written fails on that day.
func TestSuiteAcrossInstants(t *testing.T) { storetest.AcrossInstants(t, ".") }
