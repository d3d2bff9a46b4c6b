"""A folder served on a local HTTP server for the browser tests, with the list of paths it was asked for."""

import contextlib
import functools
import http.server
import threading


@contextlib.contextmanager
def serve(directory):
    """Serve ``directory`` on 127.0.0.1 at a free port: yields ``(base_url, asked)``, ``asked`` the paths requested.

    Each request runs in a thread named ``book-server-request`` (tests/conftest.py lets it outlive a test: it
    waits on its socket at most 10 s, for a connection Chromium opens ahead and never uses).
    """
    asked = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        timeout = 10

        def log_message(self, *args):
            asked.append(self.path)

    class Server(http.server.ThreadingHTTPServer):
        def process_request(self, request, client_address):
            thread = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                                      name="book-server-request", daemon=True)
            thread.start()

    server = Server(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, name="book-server-request", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    finally:
        server.shutdown()
        server.server_close()
