//go:build unix

package sse

import (
	"errors"
	"net"
	"syscall"
)

// peekClosed looks at a connection's socket without reading from it or
// waiting: end of file means the client closed it. ok is false when the
// socket cannot be asked (the caller then reads with a short deadline).
func peekClosed(conn net.Conn) (closed, ok bool) {
	sc, isSys := conn.(syscall.Conn)
	if !isSys {
		return false, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false, false
	}
	var n int
	var perr error
	var b [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, perr = syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // never wait for readiness
	})
	switch {
	case err != nil:
		return true, true
	case errors.Is(perr, syscall.EAGAIN) || errors.Is(perr, syscall.EWOULDBLOCK) || errors.Is(perr, syscall.EINTR):
		return false, true
	case perr != nil:
		return true, true // reset, or another error: the stream is over
	}
	return n == 0, true
}
