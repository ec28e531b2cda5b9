package demo

import _ "embed"

// The demo chain's identity: what serve --demo shows unless the brand
// flags name another (a made-up chain, "Kotilo", with a wordmark drawn
// for it).
const (
	BrandName  = "Kotilo"
	BrandColor = "#24527a"
)

// BrandLogo is the demo chain's wordmark, an SVG of a house and the name.
//
//go:embed logo.svg
var BrandLogo []byte
