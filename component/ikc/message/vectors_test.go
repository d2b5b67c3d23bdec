package message

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// frame is one decoded record of a recorded Perl connection.
type frame struct {
	Seq     int    `json:"seq"`
	Dir     string `json:"dir"`
	Kind    string `json:"kind"`
	Meaning string `json:"meaning"`
	Decoded any    `json:"decoded"`
}

var captureNames = []string{
	"ikc0-storable", "ikc0-freezethaw", "ikc-storable", "ikc-client-ikc0-server-storable",
	"ikc0-client-ikc-server-storable", "lite-ikc-storable", "lite-ikc0-storable",
}

func loadFrames(t *testing.T, name string) map[int]frame {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "vectors", name+".index.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var idx struct{ Items []frame }
	if err := dec.Decode(&idx); err != nil {
		t.Fatal(err)
	}
	frames := map[int]frame{}
	for _, it := range idx.Items {
		if it.Kind == "frame" {
			it.Decoded = fromJSON(it.Decoded)
			frames[it.Seq] = it
		}
	}
	return frames
}

// fromJSON turns decoded JSON into the serializer data model.
func fromJSON(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case []any:
		for i := range v {
			v[i] = fromJSON(v[i])
		}
		return v
	case map[string]any:
		for k := range v {
			v[k] = fromJSON(v[k])
		}
		return v
	}
	return v
}

// perlish renders a value as Perl compares scalars: numbers and strings
// alike as their text. The captures' JSON (and Data::Dump) cannot tell
// the string "1" from the integer 1, so records are compared this way;
// the integer fields are checked separately by type.
func perlish(v any) string {
	switch v := v.(type) {
	case nil:
		return "undef"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + "=>" + perlish(v[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(v))
		for i := range v {
			parts[i] = perlish(v[i])
		}
		return "[" + strings.Join(parts, ",") + "]"
	case int64:
		return strconv.Quote(strconv.FormatInt(v, 10))
	case float64:
		return strconv.Quote(strconv.FormatFloat(v, 'g', 15, 64))
	case string:
		return strconv.Quote(v)
	}
	return fmt.Sprintf("%#v", v)
}

// loadSamples reads the thaw_perl texts of the Storable samples.
func loadSamples(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "vectors", "storable-samples.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Samples []struct {
			Name     string `json:"name"`
			ThawPerl string `json:"thaw_perl"`
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for _, s := range doc.Samples {
		if !strings.HasPrefix(s.Name, "ikc-") && !strings.HasPrefix(s.Name, "lite-") {
			continue
		}
		p := &dumpParser{s: s.ThawPerl}
		v, err := p.value()
		if err != nil {
			t.Fatalf("sample %s: %v", s.Name, err)
		}
		out[s.Name] = v
	}
	return out
}

// dumpParser reads the Data::Dump output of the samples: hashes, arrays,
// double-quoted strings, bare integers and undef.
type dumpParser struct {
	s string
	i int
}

func (p *dumpParser) skip() {
	for p.i < len(p.s) && (unicode.IsSpace(rune(p.s[p.i])) || p.s[p.i] == ',') {
		p.i++
	}
}

func (p *dumpParser) value() (any, error) {
	p.skip()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		m := map[string]any{}
		for {
			p.skip()
			if p.s[p.i] == '}' {
				p.i++
				return m, nil
			}
			k, err := p.word()
			if err != nil {
				return nil, err
			}
			p.skip()
			if !strings.HasPrefix(p.s[p.i:], "=>") {
				return nil, fmt.Errorf("want => at %d", p.i)
			}
			p.i += 2
			if m[k], err = p.value(); err != nil {
				return nil, err
			}
		}
	case c == '[':
		p.i++
		a := []any{}
		for {
			p.skip()
			if p.s[p.i] == ']' {
				p.i++
				return a, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case c == '"':
		return p.word()
	case strings.HasPrefix(p.s[p.i:], "undef"):
		p.i += 5
		return nil, nil
	default:
		w, err := p.word()
		if err != nil {
			return nil, err
		}
		return strconv.ParseInt(w, 10, 64)
	}
}

func (p *dumpParser) word() (string, error) {
	if p.s[p.i] == '"' {
		j := p.i + 1
		for j < len(p.s) && p.s[j] != '"' {
			if p.s[j] == '\\' {
				j++
			}
			j++
		}
		w, err := strconv.Unquote(p.s[p.i : j+1])
		p.i = j + 1
		return w, err
	}
	j := p.i
	for j < len(p.s) && (p.s[j] == '_' || p.s[j] == '-' || unicode.IsLetter(rune(p.s[j])) || unicode.IsDigit(rune(p.s[j]))) {
		j++
	}
	if j == p.i {
		return "", fmt.Errorf("unexpected %q at %d", p.s[p.i], p.i)
	}
	w := p.s[p.i:j]
	p.i = j
	return w, nil
}

// kindOfMeaning maps the captures' description of a frame to a Kind.
func kindOfMeaning(meaning string) Kind {
	switch {
	case strings.HasPrefix(meaning, "call "):
		return KindCall
	case strings.HasPrefix(meaning, "post to"):
		return KindPost
	case strings.HasPrefix(meaning, "response to"):
		return KindResponse
	case strings.HasPrefix(meaning, "proxied post"):
		return KindProxied
	case strings.HasPrefix(meaning, "subscription request"):
		return KindDoYouHave
	case strings.HasPrefix(meaning, "remote_error"):
		return KindRemoteError
	}
	return -1
}

func TestEveryCapturedRecord(t *testing.T) {
	for _, name := range captureNames {
		frames := loadFrames(t, name)
		t.Run("every record of "+name+" reads and writes back unchanged", func(t *testing.T) {
			if len(frames) == 0 {
				t.Fatal("no frames")
			}
			for seq, f := range frames {
				m, err := FromValue(f.Decoded)
				if err != nil {
					t.Fatalf("frame %d: %v", seq, err)
				}
				if got, want := perlish(m.Value()), perlish(f.Decoded); got != want {
					t.Errorf("frame %d round trip:\n got %s\nwant %s", seq, got, want)
				}
				want := kindOfMeaning(f.Meaning)
				if _, byHash := f.Decoded.(map[string]any)["event"].(map[string]any); byHash && want == KindPost {
					// A post addressed by hash (a reply to ClientLite) has
					// the shape of a response.
					want = KindResponse
				}
				if m.Kind() != want {
					t.Errorf("frame %d (%s): kind %v, want %v", seq, f.Meaning, m.Kind(), want)
				}
			}
		})
	}
}
