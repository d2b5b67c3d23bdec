package filter

// RecordBlockOptions configures a RecordBlock, with POE::Filter::
// RecordBlock's parameters.
type RecordBlockOptions struct {
	// BlockSize is the number of records in a block; it must be > 0.
	BlockSize int
	// CheckPut makes Put emit whole blocks only and keep the rest.
	CheckPut bool
}

// Validate reports what POE::Filter::RecordBlock->new would croak about.
func (o RecordBlockOptions) Validate() error {
	if o.BlockSize <= 0 {
		return &Error{Filter: "RecordBlock", Err: errInvalid, Detail: "BlockSize must be greater than 0"}
	}
	return nil
}

// RecordBlock is POE::Filter::RecordBlock: on input it groups records into
// blocks, []any of BlockSize records; on output it flattens blocks ([]any)
// back into records. With CheckPut, output leaves only in whole blocks and
// the remainder waits (PutPending).
type RecordBlock struct {
	size     int
	checkPut bool
	in       queue
	putBuf   []any
}

// NewRecordBlock returns POE::Filter::RecordBlock->new(...). Invalid options
// panic, as POE croaks; check them with RecordBlockOptions.Validate.
func NewRecordBlock(o RecordBlockOptions) *RecordBlock {
	if err := o.Validate(); err != nil {
		panic(err.Error())
	}
	return &RecordBlock{size: o.BlockSize, checkPut: o.CheckPut}
}

// BlockSize returns the block size (blocksize).
func (f *RecordBlock) BlockSize() int { return f.size }

// SetBlockSize changes the block size; sizes below 1 are ignored, as POE's
// blocksize(n) ignores them.
func (f *RecordBlock) SetBlockSize(n int) {
	if n > 0 {
		f.size = n
	}
}

// CheckPut reports the CheckPut flag (checkput).
func (f *RecordBlock) CheckPut() bool { return f.checkPut }

// SetCheckPut changes the CheckPut flag (checkput(v)).
func (f *RecordBlock) SetCheckPut(v bool) { f.checkPut = v }

// GetOneStartRecords queues input records (get_one_start).
func (f *RecordBlock) GetOneStartRecords(records ...any) { f.in.push(records...) }

// GetOneStart queues a chunk of octets as one []byte record.
func (f *RecordBlock) GetOneStart(data []byte) { f.in.startOctets(data) }

// GetOne returns the next block of BlockSize records as a []any (get_one).
func (f *RecordBlock) GetOne() (any, bool, error) {
	if f.in.len() < f.size {
		return nil, false, nil
	}
	block := make([]any, f.size)
	for i := range block {
		block[i], _ = f.in.pop()
	}
	return block, true, nil
}

// Get queues data as one record and returns the complete blocks (get).
func (f *RecordBlock) Get(data []byte) ([]any, error) { return getAll(f, data) }

// PutRecords flattens blocks into records (put). Each record must be a
// []any block; a record that is not is refused, and the blocks before it
// are returned with the error. With CheckPut only whole blocks' worth
// leave; the rest is kept for the next call.
func (f *RecordBlock) PutRecords(records ...any) ([]any, error) {
	var out []any
	if !f.checkPut {
		out, f.putBuf = f.putBuf, nil
	}
	var err error
	for _, r := range records {
		block, ok := r.([]any)
		if !ok {
			err = newError("RecordBlock", ErrRecordType, "%T, want []any", r)
			break // the whole blocks before it still leave, below
		}
		if f.checkPut {
			f.putBuf = append(f.putBuf, block...)
		} else {
			out = append(out, block...)
		}
	}
	if f.checkPut {
		whole := len(f.putBuf) / f.size * f.size
		out = append(out, f.putBuf[:whole]...)
		f.putBuf = append([]any(nil), f.putBuf[whole:]...)
	}
	return out, err
}

// Put flattens blocks whose records are strings or []byte into dst. On a
// refused record, the records before it are appended, as Filter's Put
// promises.
func (f *RecordBlock) Put(dst []byte, records ...any) ([]byte, error) {
	out, err := f.PutRecords(records...)
	dst, perr := putOctets("RecordBlock", dst, out)
	if err != nil {
		return dst, err
	}
	return dst, perr
}

// PutPending returns the records CheckPut is holding back, or nil
// (put_pending).
func (f *RecordBlock) PutPending() []any {
	if !f.checkPut || len(f.putBuf) == 0 {
		return nil
	}
	return append([]any(nil), f.putBuf...)
}

// PendingRecords returns the queued input records, or nil (get_pending).
func (f *RecordBlock) PendingRecords() []any { return f.in.pending() }

// GetPending returns the queued string and []byte records as octets.
func (f *RecordBlock) GetPending() []byte { return f.in.pendingOctets() }

// Clone returns a RecordBlock with the same settings and empty buffers
// (clone).
func (f *RecordBlock) Clone() Filter { return &RecordBlock{size: f.size, checkPut: f.checkPut} }
