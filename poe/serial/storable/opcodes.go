package storable

// Storable opcodes (the SX_* constants of Storable.xs), one byte before each
// item of an image.
const (
	sxObject       = 0x00 // len4 tag: an item already seen
	sxLScalar      = 0x01 // len4, bytes
	sxArray        = 0x02 // len4 count, items
	sxHash         = 0x03 // len4 count, (value, len4 key)...
	sxRef          = 0x04 // item
	sxUndef        = 0x05
	sxInteger      = 0x06 // native IV
	sxDouble       = 0x07 // native NV
	sxByte         = 0x08 // 1 byte, value+128
	sxNetint       = 0x09 // 4 bytes signed big endian
	sxScalar       = 0x0a // len1, bytes
	sxTiedArray    = 0x0b
	sxTiedHash     = 0x0c
	sxTiedScalar   = 0x0d
	sxSvUndef      = 0x0e
	sxSvYes        = 0x0f
	sxSvNo         = 0x10
	sxBless        = 0x11 // len1 (0x80: len4) class, item
	sxIxBless      = 0x12 // len1 (0x80: len4) class index, item
	sxHook         = 0x13
	sxOverload     = 0x14 // item
	sxTiedKey      = 0x15
	sxTiedIdx      = 0x16
	sxUTF8Str      = 0x17 // len1, UTF-8 bytes
	sxLUTF8Str     = 0x18 // len4, UTF-8 bytes
	sxFlagHash     = 0x19 // flags, len4 count, (value, key flags, len4 key)...
	sxCode         = 0x1a
	sxWeakRef      = 0x1b // item
	sxWeakOverload = 0x1c // item
	sxVString      = 0x1d // len1 magic, item
	sxLVString     = 0x1e // len4 magic, item
	sxSvUndefElem  = 0x1f
	sxRegexp       = 0x20
	sxLObject      = 0x21
	sxBooleanTrue  = 0x22
	sxBooleanFalse = 0x23
	sxLast         = 0x24
)

// Key flags of SX_FLAG_HASH entries.
const (
	keyUTF8        = 0x01 // key bytes are UTF-8
	keyWasUTF8     = 0x02 // key was UTF-8, stored downgraded to Latin-1
	keyPlaceholder = 0x10 // restricted-hash placeholder: no value
)

// Header bytes Storable 3.x writes: major 2, minor 11.
const (
	majorVersion  = 2
	minorVersion  = 11
	netorderMajor = majorVersion<<1 | 1
)

var opNames = [sxLast]string{
	"SX_OBJECT", "SX_LSCALAR", "SX_ARRAY", "SX_HASH", "SX_REF", "SX_UNDEF",
	"SX_INTEGER", "SX_DOUBLE", "SX_BYTE", "SX_NETINT", "SX_SCALAR",
	"SX_TIED_ARRAY", "SX_TIED_HASH", "SX_TIED_SCALAR", "SX_SV_UNDEF",
	"SX_SV_YES", "SX_SV_NO", "SX_BLESS", "SX_IX_BLESS", "SX_HOOK",
	"SX_OVERLOAD", "SX_TIED_KEY", "SX_TIED_IDX", "SX_UTF8STR", "SX_LUTF8STR",
	"SX_FLAG_HASH", "SX_CODE", "SX_WEAKREF", "SX_WEAKOVERLOAD", "SX_VSTRING",
	"SX_LVSTRING", "SX_SVUNDEF_ELEM", "SX_REGEXP", "SX_LOBJECT",
	"SX_BOOLEAN_TRUE", "SX_BOOLEAN_FALSE",
}

func opName(op byte) string {
	if int(op) < len(opNames) {
		return opNames[op]
	}
	return "unknown"
}
