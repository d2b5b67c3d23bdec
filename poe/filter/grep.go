package filter

// GrepOptions configures a Grep, with POE::Filter::Grep's parameters: Code
// for both directions, or Get and Put separately. Each function decides
// whether a record passes.
type GrepOptions struct {
	Code func(rec any) bool
	Get  func(rec any) bool
	Put  func(rec any) bool
}

// Validate reports what POE::Filter::Grep->new would croak about: neither
// Code nor both Get and Put.
func (o GrepOptions) Validate() error {
	if o.Code == nil && (o.Get == nil || o.Put == nil) {
		return &Error{Filter: "Grep", Err: errInvalid, Detail: "Grep requires a Code or both Get and Put parameters"}
	}
	return nil
}

// Grep is POE::Filter::Grep: it keeps the records for which its Get (input)
// or Put (output) function returns true. Input records are queued and
// examined one at a time by GetOne.
type Grep struct {
	get, put func(any) bool
	in       queue
}

// NewGrep returns POE::Filter::Grep->new(...). Invalid options panic, as
// POE croaks; check them with GrepOptions.Validate.
func NewGrep(o GrepOptions) *Grep {
	if err := o.Validate(); err != nil {
		panic(err.Error())
	}
	g := &Grep{get: o.Get, put: o.Put}
	g.Modify(GrepOptions{Code: o.Code})
	return g
}

// Modify replaces the functions given and keeps the others (modify).
func (g *Grep) Modify(o GrepOptions) {
	if o.Code != nil {
		g.get, g.put = o.Code, o.Code
	}
	if o.Get != nil {
		g.get = o.Get
	}
	if o.Put != nil {
		g.put = o.Put
	}
}

// GetOneStartRecords queues input records (get_one_start).
func (g *Grep) GetOneStartRecords(records ...any) { g.in.push(records...) }

// GetOneStart queues a chunk of octets as one []byte record.
func (g *Grep) GetOneStart(data []byte) { g.in.startOctets(data) }

// GetOne returns the next queued record that Get accepts (get_one).
func (g *Grep) GetOne() (any, bool, error) {
	for {
		r, ok := g.in.pop()
		if !ok {
			return nil, false, nil
		}
		if g.get(r) {
			return r, true, nil
		}
	}
}

// Get queues data as one record and returns the accepted records (get).
func (g *Grep) Get(data []byte) ([]any, error) { return getAll(g, data) }

// PutRecords returns the records that Put accepts (put).
func (g *Grep) PutRecords(records ...any) ([]any, error) {
	var out []any
	for _, r := range records {
		if g.put(r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Put appends the accepted string and []byte records to dst.
func (g *Grep) Put(dst []byte, records ...any) ([]byte, error) {
	out, _ := g.PutRecords(records...)
	return putOctets("Grep", dst, out)
}

// PendingRecords returns the queued input records, or nil (get_pending).
func (g *Grep) PendingRecords() []any { return g.in.pending() }

// GetPending returns the queued string and []byte records as octets.
func (g *Grep) GetPending() []byte { return g.in.pendingOctets() }

// Clone returns a Grep with the same functions and an empty queue (clone).
func (g *Grep) Clone() Filter { return &Grep{get: g.get, put: g.put} }
