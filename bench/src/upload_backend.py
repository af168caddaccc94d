# A backend for bench/upload.sh on 127.0.0.1:18503: reads each request body whole (Content-Length or chunked)
# and answers 201 with the number of body bytes it read.
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 18503)); s.listen(8)
while True:
    c, _ = s.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        data += c.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    total = len(rest); tail = rest[-5:]
    length = None
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while (total < length) if length is not None else not tail.endswith(b"0\r\n\r\n"):
        chunk = c.recv(1 << 20)
        if not chunk: break
        total += len(chunk); tail = (tail + chunk)[-5:]
    c.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%d" % (len(str(total)), total))
    c.close()
