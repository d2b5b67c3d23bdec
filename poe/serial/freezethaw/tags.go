package freezethaw

// signature starts every image FreezeThaw::freeze writes.
const signature = "FrT;"

// The tag characters of the format. Every item starts with one; counts
// and lengths are decimal digits ended by '|'.
const (
	tagString   = '$'  // $len|text: a scalar (strings and numbers alike)
	tagUndef    = '_'  // undef
	tagArray    = '@'  // @n|: an array reference and its n elements
	tagHash     = '%'  // %2n|: a hash reference, its n keys, then its n values
	tagRef      = '\\' // \: a reference to the scalar that follows
	tagBackRef  = '<'  // <k|: the shared object k of the table
	tagObject   = '>'  // >: a blessed object: package, then its content
	tagPackage  = ')'  // )id|: a package named before (after '>', '{' or '}')
	tagRegexp   = '/'  // /len|pattern: a qr// object
	tagShared   = '!'  // !n|: a table of n+1 shared objects follows
	tagAllocate = '{'  // {: a shared object's class and empty body
	tagInstance = '}'  // }: a shared object's class and content
	tagCode     = '&'  // &: a stringified code reference
	tagGlob     = '*'  // *: a stringified glob
	tagCached   = '?'  // ?: safeFreeze's process-local stamp or cached item
)

// tagNewPackage names a package the first time: '>', the new id, '|',
// and the name as a string. After an object's own '>' it makes the pair
// ">>0|$3|Foo" that starts the first object of class Foo.
const tagNewPackage = '>'
