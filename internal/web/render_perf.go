package web

import (
	"bytes"
	"errors"
	"html/template"
	"io"
	"reflect"
	"strings"
	"text/template/parse"
)

// Constant folding of the page templates.
//
// Much of a page is the same for every request in a language: the texts
// ({{t "menu.open"}}), the asset URLs ({{asset "style.css"}}), the language
// buttons ({{if eq lang "fi"}}). Executed as written, each is a reflective
// function call plus a reflective call of html/template's escaper; on the
// dashboard they were a quarter of the rendering time. foldConstants
// evaluates them once, at parse time, and puts their escaped output into
// the tree as text, so templates stay written the readable way while
// execution only does the parts that depend on the data.
//
// Folding runs after html/template has escaped the tree (escaping is
// static: it depends on the template text, never on the data), so the
// escaper of each action is known. An action is folded only when
//   - its first command calls a pure function (see pure) with literal
//     arguments only, and
//   - the escaper chain html/template appended to it is exactly the chain
//     of one of the probe contexts (see probeContexts), whose own
//     execution then produces the escaped text. An action without
//     escapers is never folded.
// Anything else is left as it was, so folding can make a page faster but
// never different; TestFoldingKeepsPages compares the pages both ways.

// pure reports whether a template function's result depends only on its
// arguments and the template set's language.
func pure(name string) bool {
	switch name {
	case "t", "n", "lang", "asset", "tel":
		return true
	}
	return false
}

// probeContexts are the HTML contexts whose escaper chains folding
// reproduces: the prefix and suffix around an action.
func probeContexts() [][2]string {
	return [][2]string{
		{"", ""},
		{`<a title="`, `">`},
		{`<a href="`, `">`},
		{`<a href="/x/`, `">`},
		{`<a href="/x?a=`, `">`},
		{`<title>`, `</title>`},
		{`<textarea>`, `</textarea>`},
	}
}

// probe is one escaping context: executing it with a value yields the
// value escaped as in that context, between prefix and suffix.
type probe struct {
	t              *template.Template
	prefix, suffix string
}

func (p probe) escape(v any) (string, bool) {
	var b bytes.Buffer
	if err := p.t.Execute(&b, v); err != nil {
		return "", false
	}
	s := b.String()
	if !strings.HasPrefix(s, p.prefix) || !strings.HasSuffix(s, p.suffix) || len(s) < len(p.prefix)+len(p.suffix) {
		return "", false
	}
	return s[len(p.prefix) : len(s)-len(p.suffix)], true
}

// folder folds the constant parts of one template set.
type folder struct {
	funcs  template.FuncMap
	probes map[string]probe // by escaper chain, names joined with " | "
}

func newFolder(funcs template.FuncMap) (*folder, error) {
	f := &folder{funcs: funcs, probes: map[string]probe{}}
	for _, c := range probeContexts() {
		t, err := template.New("probe").Parse(c[0] + "{{.}}" + c[1])
		if err != nil {
			return nil, err
		}
		if err := escapeNow(t); err != nil {
			return nil, err
		}
		var chain []string
		for _, n := range t.Tree.Root.Nodes {
			if a, ok := n.(*parse.ActionNode); ok {
				if len(a.Pipe.Cmds) == 0 {
					break
				}
				var ok bool
				if chain, ok = escaperChain(a.Pipe.Cmds[1:]); !ok {
					chain = nil
				}
			}
		}
		if len(chain) == 0 {
			continue
		}
		key := strings.Join(chain, " | ")
		if _, dup := f.probes[key]; !dup {
			f.probes[key] = probe{t: t, prefix: c[0], suffix: c[1]}
		}
	}
	return f, nil
}

// escapeNow makes html/template escape t (and every template it calls)
// without waiting for the first request. Escaping happens before
// execution, which then stops at the first field of the nil data; only an
// escaping error (*template.Error) is an error here.
func escapeNow(t *template.Template) error {
	err := t.Execute(io.Discard, nil)
	var te *template.Error
	if errors.As(err, &te) {
		return err
	}
	return nil
}

// foldConstants escapes the template set of root and folds the constants
// of root and of every template it calls.
func foldConstants(root *template.Template, funcs template.FuncMap) error {
	if err := escapeNow(root); err != nil {
		return err
	}
	f, err := newFolder(funcs)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		t := root.Lookup(name)
		if t == nil || t.Tree == nil || t.Tree.Root == nil {
			return // a template html/template derived for another context: left as it is
		}
		var called []string
		f.list(t.Tree.Root, &called)
		for _, c := range called {
			visit(c)
		}
	}
	visit(root.Name())
	return nil
}

// list folds the nodes of l in place and merges adjacent text; called
// collects the templates that l calls.
func (f *folder) list(l *parse.ListNode, called *[]string) {
	if l == nil {
		return
	}
	out := make([]parse.Node, 0, len(l.Nodes))
	add := func(n parse.Node) {
		if t, ok := n.(*parse.TextNode); ok && len(out) > 0 {
			if prev, ok := out[len(out)-1].(*parse.TextNode); ok {
				merged := make([]byte, 0, len(prev.Text)+len(t.Text))
				merged = append(append(merged, prev.Text...), t.Text...)
				out[len(out)-1] = &parse.TextNode{NodeType: parse.NodeText, Pos: prev.Pos, Text: merged}
				return
			}
		}
		out = append(out, n)
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if s, ok := f.action(n.Pipe); ok {
				if s != "" {
					add(&parse.TextNode{NodeType: parse.NodeText, Pos: n.Pos, Text: []byte(s)})
				}
				continue
			}
			add(n)
		case *parse.IfNode:
			f.list(n.List, called)
			f.list(n.ElseList, called)
			if truth, ok := f.condition(n.Pipe); ok {
				branch := n.ElseList
				if truth {
					branch = n.List
				}
				if branch != nil {
					for _, b := range branch.Nodes {
						add(b)
					}
				}
				continue
			}
			add(n)
		case *parse.RangeNode:
			f.list(n.List, called)
			f.list(n.ElseList, called)
			add(n)
		case *parse.WithNode:
			f.list(n.List, called)
			f.list(n.ElseList, called)
			add(n)
		case *parse.TemplateNode:
			*called = append(*called, n.Name)
			add(n)
		default:
			add(n)
		}
	}
	l.Nodes = out
}

// action returns the output of an action that is constant, escaped.
func (f *folder) action(p *parse.PipeNode) (string, bool) {
	if p == nil || len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) < 2 {
		return "", false
	}
	v, ok := f.call(p.Cmds[0].Args)
	if !ok {
		return "", false
	}
	chain, ok := escaperChain(p.Cmds[1:])
	if !ok {
		return "", false
	}
	pr, ok := f.probes[strings.Join(chain, " | ")]
	if !ok {
		return "", false
	}
	return pr.escape(v)
}

// escaperChain returns the names of cmds when every one is a bare
// html/template escaper.
func escaperChain(cmds []*parse.CommandNode) ([]string, bool) {
	var names []string
	for _, c := range cmds {
		if len(c.Args) != 1 {
			return nil, false
		}
		id, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok || !strings.HasPrefix(id.Ident, "_html_template_") {
			return nil, false
		}
		names = append(names, id.Ident)
	}
	return names, len(names) > 0
}

// call evaluates a command that calls a pure function with constant
// arguments.
func (f *folder) call(args []parse.Node) (v any, ok bool) {
	if len(args) == 0 {
		return nil, false
	}
	id, isID := args[0].(*parse.IdentifierNode)
	if !isID || !pure(id.Ident) {
		return nil, false
	}
	fn, found := f.funcs[id.Ident]
	if !found {
		return nil, false
	}
	fv := reflect.ValueOf(fn)
	ft := fv.Type()
	if ft.NumOut() != 1 {
		return nil, false
	}
	in := make([]reflect.Value, 0, len(args)-1)
	for i, a := range args[1:] {
		c, ok := f.constant(a)
		if !ok {
			return nil, false
		}
		var want reflect.Type
		switch {
		case ft.IsVariadic() && i >= ft.NumIn()-1:
			want = ft.In(ft.NumIn() - 1).Elem()
		case i < ft.NumIn():
			want = ft.In(i)
		default:
			return nil, false
		}
		cv := reflect.ValueOf(c)
		if !cv.Type().AssignableTo(want) {
			return nil, false
		}
		in = append(in, cv)
	}
	if len(in) < ft.NumIn() && !(ft.IsVariadic() && len(in) == ft.NumIn()-1) {
		return nil, false
	}
	defer func() {
		if recover() != nil {
			v, ok = nil, false
		}
	}()
	return fv.Call(in)[0].Interface(), true
}

// constant evaluates a literal, or a pure call without arguments (lang),
// or a parenthesised pure call.
func (f *folder) constant(n parse.Node) (any, bool) {
	switch n := n.(type) {
	case *parse.StringNode:
		return n.Text, true
	case *parse.NumberNode:
		if n.IsInt {
			return int(n.Int64), true
		}
		return nil, false
	case *parse.BoolNode:
		return n.True, true
	case *parse.IdentifierNode:
		return f.call([]parse.Node{n})
	case *parse.PipeNode:
		if len(n.Decl) > 0 || len(n.Cmds) != 1 {
			return nil, false
		}
		return f.call(n.Cmds[0].Args)
	}
	return nil, false
}

// condition evaluates an if's pipeline of the form eq/ne A B where A and
// B are constant strings.
func (f *folder) condition(p *parse.PipeNode) (truth, ok bool) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 3 {
		return false, false
	}
	args := p.Cmds[0].Args
	id, isID := args[0].(*parse.IdentifierNode)
	if !isID || id.Ident != "eq" && id.Ident != "ne" {
		return false, false
	}
	a, ok1 := f.constant(args[1])
	b, ok2 := f.constant(args[2])
	as, ok3 := a.(string)
	bs, ok4 := b.(string)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return false, false
	}
	return (as == bs) == (id.Ident == "eq"), true
}
