package filter

// MapOptions configures a Map, with POE::Filter::Map's parameters: Code for
// both directions, or Get and Put separately. Each function replaces one
// record by any number of records, as a Perl map block may.
type MapOptions struct {
	Code func(rec any) []any
	Get  func(rec any) []any
	Put  func(rec any) []any
}

// Validate reports what POE::Filter::Map->new would croak about: neither
// Code nor both Get and Put.
func (o MapOptions) Validate() error {
	if o.Code == nil && (o.Get == nil || o.Put == nil) {
		return &Error{Filter: "Map", Err: errInvalid, Detail: "Map requires a Code or both Get and Put parameters"}
	}
	return nil
}

// Map is POE::Filter::Map: it replaces each record by the results of its Get
// (input) or Put (output) function. Input records are queued and mapped one
// at a time; when one record maps to several, GetOne returns them in turn,
// and when it maps to none GetOne goes on to the next (POE's get_one would
// return nothing and end a get early).
type Map struct {
	get, put func(any) []any
	in       queue
	out      queue
}

// NewMap returns POE::Filter::Map->new(...). Invalid options panic, as POE
// croaks; check them with MapOptions.Validate.
func NewMap(o MapOptions) *Map {
	if err := o.Validate(); err != nil {
		panic(err.Error())
	}
	m := &Map{get: o.Get, put: o.Put}
	m.Modify(MapOptions{Code: o.Code})
	return m
}

// Modify replaces the functions given and keeps the others (modify).
func (m *Map) Modify(o MapOptions) {
	if o.Code != nil {
		m.get, m.put = o.Code, o.Code
	}
	if o.Get != nil {
		m.get = o.Get
	}
	if o.Put != nil {
		m.put = o.Put
	}
}

// GetOneStartRecords queues input records (get_one_start).
func (m *Map) GetOneStartRecords(records ...any) { m.in.push(records...) }

// GetOneStart queues a chunk of octets as one []byte record.
func (m *Map) GetOneStart(data []byte) { m.in.startOctets(data) }

// GetOne returns the next mapped record (get_one).
func (m *Map) GetOne() (any, bool, error) {
	for {
		if r, ok := m.out.pop(); ok {
			return r, true, nil
		}
		r, ok := m.in.pop()
		if !ok {
			return nil, false, nil
		}
		m.out.push(m.get(r)...)
	}
}

// Get queues data as one record and returns the mapped records (get).
func (m *Map) Get(data []byte) ([]any, error) { return getAll(m, data) }

// PutRecords returns the records mapped by Put (put).
func (m *Map) PutRecords(records ...any) ([]any, error) {
	var out []any
	for _, r := range records {
		out = append(out, m.put(r)...)
	}
	return out, nil
}

// Put appends the mapped records, which must be strings or []byte, to dst.
func (m *Map) Put(dst []byte, records ...any) ([]byte, error) {
	out, _ := m.PutRecords(records...)
	return putOctets("Map", dst, out)
}

// PendingRecords returns the records not yet returned, mapped ones first,
// or nil (get_pending).
func (m *Map) PendingRecords() []any {
	out := append(m.out.pending(), m.in.pending()...)
	if len(out) == 0 {
		return nil
	}
	return out
}

// GetPending returns the pending string and []byte records as octets.
func (m *Map) GetPending() []byte {
	return append(m.out.pendingOctets(), m.in.pendingOctets()...)
}

// Clone returns a Map with the same functions and empty queues (clone).
func (m *Map) Clone() Filter { return &Map{get: m.get, put: m.put} }
