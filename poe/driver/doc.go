// Package driver holds POE's drivers: the layer of the I/O stack that moves
// octets between a file descriptor and memory, below the filters and wheels.
//
// SysRW (POE::Driver::SysRW) is the only place in the stack that calls
// read(2) and write(2). It reads in blocks into one reusable buffer and keeps
// an output queue that it flushes with as few write calls as the descriptor
// allows.
package driver
