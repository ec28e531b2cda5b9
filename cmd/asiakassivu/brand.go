package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"asiakassivu/internal/demo"
	"asiakassivu/internal/web"
)

// brandFlags are serve's flags of the chain's identity: its name, logo
// and primary colour.
type brandFlags struct {
	name  string
	logo  string
	color string
}

func (b *brandFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.name, "brand-name", "", "the chain's name in the header, the titles and the app, the same in every language (default: "+web.DefaultBrandName+"; with --demo the demo chain's)")
	fs.StringVar(&b.logo, "brand-logo", "", "an SVG or PNG file of the chain's logo, shown in the header instead of the name (at most 16 KiB; read at start)")
	fs.StringVar(&b.color, "brand-color", "", "the chain's primary colour, #rrggbb; refused unless white text on it and it on the page background reach WCAG AA 4.5:1 (default: "+web.DefaultBrandColor+")")
}

// brand reads the logo and checks the colour, once at start. With --demo
// an unset flag takes the demo chain's value.
func (b *brandFlags) brand(isDemo bool) (web.Brand, error) {
	out := web.Brand{Name: strings.TrimSpace(b.name), Color: strings.ToLower(strings.TrimSpace(b.color))}
	if isDemo {
		if out.Name == "" {
			out.Name = demo.BrandName
		}
		if out.Color == "" {
			out.Color = demo.BrandColor
		}
		if b.logo == "" {
			out.Logo, out.LogoName = demo.BrandLogo, "brand-logo.svg"
		}
	}
	if out.Color != "" {
		if err := web.CheckBrandColor(out.Color); err != nil {
			return out, usageError{err: fmt.Errorf("--brand-color %w", err)}
		}
	}
	if b.logo != "" {
		logo, err := readLimited(b.logo, web.MaxLogoBytes)
		if err != nil {
			return out, usageError{err: fmt.Errorf("--brand-logo: %w", err)}
		}
		name, err := web.LoadLogo(filepath.Base(b.logo), logo)
		if err != nil {
			return out, usageError{err: fmt.Errorf("--brand-logo %w", err)}
		}
		out.Logo, out.LogoName = logo, name
	}
	return out, nil
}

// readLimited reads a file of at most limit bytes.
func readLimited(name string, limit int) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return nil, errors.New(filepath.Base(name) + fmt.Sprintf(" is larger than %d bytes; a logo is part of every first visit", limit))
	}
	return b, nil
}
