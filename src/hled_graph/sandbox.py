"""Take the network away from the current process, by the operating system, before it runs queries.

Two independent protections, each applied where the system allows it:

- a new, empty network namespace (``unshare(CLONE_NEWNET)``; without root, inside a new user
  namespace): the process sees only a loopback interface that is down, so no address is reachable;
- a seccomp filter that answers ``EPERM`` to every ``socket()`` (and to ``io_uring_setup``, which can
  make sockets without calling ``socket()``): no TCP, UDP, raw, packet or netlink socket can be made,
  whatever namespace the process is in, and no Unix socket either, because a namespace does not hide
  the host's Unix sockets on the file system (a DNS resolver's, a container daemon's). A query
  process needs none: its channel to the HTTP worker is made before the filter.

Both are Linux-only; elsewhere nothing is applied and :func:`isolate_from_network` says so.
Hand-written with ctypes because no maintained PyPI package offers a seccomp filter or
``unshare`` without a C build (pyseccomp/python-prctl need libseccomp's or libcap's headers).
Apply it in a process with one thread: seccomp and namespaces bind the calling thread (and the
threads and children it makes afterwards).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys
from dataclasses import dataclass

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
_OFFSET_NR, _OFFSET_ARCH = 0, 4
_X32_SYSCALL_BIT = 0x40000000


@dataclass(frozen=True)
class _Abi:
    audit_arch: int
    socket: int
    io_uring_setup: int
    has_x32: bool


# Syscall numbers from the kernel's unistd tables (asm-generic for aarch64).
_ABIS = {
    "x86_64": _Abi(audit_arch=0xC000003E, socket=41, io_uring_setup=425, has_x32=True),
    "aarch64": _Abi(audit_arch=0xC00000B7, socket=198, io_uring_setup=425, has_x32=False),
}
_ABIS["amd64"] = _ABIS["x86_64"]
_ABIS["arm64"] = _ABIS["aarch64"]


@dataclass(frozen=True)
class NetworkIsolation:
    """Which protections hold in this process; ``notes`` says why a missing one is missing."""

    namespace: bool
    seccomp: bool
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        held = [name for name, on in (("network namespace", self.namespace), ("seccomp socket filter", self.seccomp))
                if on]
        text = " + ".join(held) if held else "none (queries could reach the network if the guard let one through)"
        return text + (f" [{'; '.join(self.notes)}]" if self.notes else "")


def isolate_from_network(*, namespace: bool = True, seccomp: bool = True) -> NetworkIsolation:
    """Apply the protections asked for that this system allows; report which hold. Never raises."""
    notes: list[str] = []
    in_namespace = False
    filtered = False
    if not sys.platform.startswith("linux"):
        return NetworkIsolation(False, False, (f"{sys.platform}: neither protection exists here",))
    if namespace:
        failure = _enter_network_namespace()
        in_namespace = failure is None
        if failure:
            notes.append(f"no network namespace: {failure}")
    if seccomp:
        failure = _install_socket_filter()
        filtered = failure is None
        if failure:
            notes.append(f"no seccomp filter: {failure}")
    return NetworkIsolation(in_namespace, filtered, tuple(notes))


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _enter_network_namespace() -> str | None:
    libc = _libc()
    failures = []
    # As root a bare network namespace works; without CAP_SYS_ADMIN it needs a user namespace too.
    for flags, name in ((_CLONE_NEWNET, "unshare(CLONE_NEWNET)"),
                        (_CLONE_NEWUSER | _CLONE_NEWNET, "unshare(CLONE_NEWUSER|CLONE_NEWNET)")):
        if libc.unshare(flags) == 0:
            return None
        failures.append(f"{name}: {os.strerror(ctypes.get_errno())}")
    return "; ".join(failures)


def _socket_filter(abi: _Abi) -> list[tuple[int, int, int, int]]:
    """The BPF program: foreign ABI, x32, io_uring_setup, socket() → EPERM."""
    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, JMP|JEQ|K, JMP|JGE|K, RET|K
    deny_label, allow_label = "deny", "allow"
    program: list[tuple[int, object, object, int]] = [
        (load, 0, 0, _OFFSET_ARCH),
        (jeq, 0, deny_label, abi.audit_arch),
        (load, 0, 0, _OFFSET_NR),
    ]
    if abi.has_x32:
        program.append((jge, deny_label, 0, _X32_SYSCALL_BIT))
    program += [
        (jeq, deny_label, 0, abi.io_uring_setup),
        (jeq, deny_label, allow_label, abi.socket),
    ]
    labels = {allow_label: len(program), deny_label: len(program) + 1}
    program += [(ret, 0, 0, _SECCOMP_RET_ALLOW), (ret, 0, 0, _SECCOMP_RET_ERRNO | errno.EPERM)]

    def offset(at: int, target: object) -> int:
        return labels[target] - at - 1 if isinstance(target, str) else int(target)  # type: ignore[call-overload]

    return [(code, offset(i, jt), offset(i, jf), k) for i, (code, jt, jf, k) in enumerate(program)]


def _install_socket_filter() -> str | None:
    abi = _ABIS.get(platform.machine().lower())
    if abi is None:
        return f"no filter written for the {platform.machine()} architecture"
    program = _socket_filter(abi)
    raw = b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(raw, len(raw))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program), ctypes.addressof(buffer))
    libc = _libc()
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    # Without privileges a filter may only be installed once the process can never gain any.
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}"
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        return f"prctl(PR_SET_SECCOMP): {os.strerror(ctypes.get_errno())}"
    return None
