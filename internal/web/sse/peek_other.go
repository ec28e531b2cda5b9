//go:build !unix

package sse

import "net"

// peekClosed cannot ask the socket here; alive reads with a short deadline.
func peekClosed(net.Conn) (closed, ok bool) { return false, false }
