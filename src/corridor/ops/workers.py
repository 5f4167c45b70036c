"""`corridor serve --workers N`: uvicorn's supervisor, but one SO_REUSEPORT listening socket per worker.

uvicorn's own multi-worker mode hands every worker the same listening socket. The worker that wakes
first accepts every pending connection, and connections live long (nginx's upstream keep-alive pool,
browsers, API clients), so one worker served everything while the others idled: 80 of 80 requests
over 8 keep-alive connections, in 3 runs of 3, went to the same one of 2 workers. Here each worker
listens on a socket of its own bound to the same address with SO_REUSEPORT, and the kernel spreads
new connections over the workers by a hash of the addresses. The parent keeps the address bound (not
listening, so it receives no connection) while workers die and are replaced.

The sockets are made with IPPROTO_TCP, so that asyncio turns TCP_NODELAY on for each connection;
uvicorn's (protocol 0) left Nagle on, and every response waited 40 ms for the client's delayed ACK.
"""

from __future__ import annotations

import logging
import socket
import sys

from uvicorn import Config
from uvicorn.supervisors import multiprocess


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def ensure_free(host: str, port: int) -> None:
    """Raise OSError (address in use) when anything is bound there already.

    SO_REUSEPORT would otherwise let a second `serve --workers` of the same user join the first on
    its port, and the kernel would split the traffic between two servers. A bind without it fails
    while any socket listens at the address, with or without SO_REUSEPORT.
    """
    probe = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        # SO_REUSEADDR only passes over connections in TIME_WAIT, as uvicorn's own bind does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    finally:
        probe.close()


def reuseport_socket(host: str, port: int) -> socket.socket:
    family = _family(host)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class ReusePortProcess(multiprocess.Process):
    """A uvicorn worker that listens on its own socket at the address of the parent's."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # runs in the worker
        own = [reuseport_socket(*s.getsockname()[:2]) for s in sockets or []]
        for inherited in sockets or []:
            inherited.close()  # the parent's copy stays open: the address remains reserved
        super().target(own)


def run_workers(config: Config) -> None:
    """uvicorn.run's multi-worker branch, with ReusePortProcess workers."""
    assert config.workers > 1 and config.uds is None and config.fd is None
    try:
        ensure_free(config.host, config.port)
        sock = reuseport_socket(config.host, config.port)
    except OSError as error:
        logging.getLogger("uvicorn.error").error("cannot listen on %s:%d: %s", config.host, config.port, error)
        sys.exit(3)  # uvicorn's STARTUP_FAILURE
    # The supervisor makes (and remakes, after a crash) its workers from this module global.
    setattr(multiprocess, "Process", ReusePortProcess)  # noqa: B010
    try:
        multiprocess.Multiprocess(config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
