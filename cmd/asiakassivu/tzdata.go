package main

// The binary carries its own copy of the IANA time-zone database, so it
// starts (portal.Helsinki is loaded at start-up) and computes Helsinki
// deadlines on a machine or container image without /usr/share/zoneinfo.
// A system database, when present, is still preferred by package time.
import _ "time/tzdata"
