"""The seccomp filter every candidate runs under, built by hand as classic BPF (stdlib only).

Refused (EPERM): kernel keyrings (they are per uid, and slot uids are reused, so a keyring
would carry data from one run to the next), SysV and POSIX message IPC (the same, for the
IPC namespace the test zygote shares), reading or writing other processes' memory
(ptrace, process_vm_*), mounts and namespaces (unshare, setns, clone with a CLONE_NEW*
flag), `socket(AF_UNIX)` (abstract unix sockets are the one way two runs of a shared
network namespace could meet; `socketpair` still works), bpf, perf, userfaultfd,
io_uring, module/kexec loading and handle-based opens. `clone3` answers ENOSYS (its
flags sit behind a pointer seccomp cannot read), so libc falls back to `clone`.
A syscall of a foreign ABI (x32 on x86_64, or another audit arch) kills the process.
"""
from __future__ import annotations

import platform
import struct

# Per architecture: audit arch, then the syscall numbers.
_TABLES = {
    "x86_64": (0xC000003E, {
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "add_key": 248,
        "request_key": 249, "keyctl": 250, "mount": 165, "umount2": 166, "pivot_root": 155,
        "chroot": 161, "unshare": 272, "setns": 308, "bpf": 321, "perf_event_open": 298,
        "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "kexec_load": 246, "kexec_file_load": 320,
        "init_module": 175, "finit_module": 313, "delete_module": 176,
        "name_to_handle_at": 303, "open_by_handle_at": 304, "shmget": 29, "shmat": 30,
        "shmctl": 31, "semget": 64, "semop": 65, "semctl": 66, "semtimedop": 220,
        "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "mq_open": 240,
        "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244,
        "mq_getsetattr": 245, "swapon": 167, "swapoff": 168, "reboot": 169, "acct": 163,
        "quotactl": 179, "fanotify_init": 300, "open_tree": 428, "move_mount": 429,
        "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "pidfd_getfd": 438, "mount_setattr": 442,
        "_socket": 41, "_clone": 56, "_clone3": 435}),
    "aarch64": (0xC00000B7, {
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "add_key": 217,
        "request_key": 218, "keyctl": 219, "mount": 40, "umount2": 39, "pivot_root": 41,
        "chroot": 51, "unshare": 97, "setns": 268, "bpf": 280, "perf_event_open": 241,
        "userfaultfd": 282, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "kexec_load": 104, "kexec_file_load": 294,
        "init_module": 105, "finit_module": 273, "delete_module": 106,
        "name_to_handle_at": 264, "open_by_handle_at": 265, "shmget": 194, "shmctl": 195,
        "shmat": 196, "semget": 190, "semctl": 191, "semtimedop": 192, "semop": 193,
        "msgget": 186, "msgctl": 187, "msgrcv": 188, "msgsnd": 189, "mq_open": 180,
        "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184,
        "mq_getsetattr": 185, "swapon": 224, "swapoff": 225, "reboot": 142, "acct": 89,
        "quotactl": 60, "fanotify_init": 262, "open_tree": 428, "move_mount": 429,
        "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "pidfd_getfd": 438, "mount_setattr": 442,
        "_socket": 198, "_clone": 220, "_clone3": 435}),
}
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _KILL_PROCESS, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
EPERM, ENOSYS, AF_UNIX = 1, 38, 1
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME
_CLONE_NEW = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 \
    | 0x40000000 | 0x00000080
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in struct seccomp_data


def _ins(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def supported() -> str | None:
    """The machine name if a filter can be built here, else None."""
    machine = platform.machine()
    return machine if machine in _TABLES else None


def denied_calls() -> list[str]:
    """Names of the refused system calls (for isolation_report)."""
    arch = supported()
    return sorted(n for n in _TABLES[arch][1] if not n.startswith("_")) if arch else []


def build() -> bytes:
    """The BPF program for this architecture (struct sock_filter[], native byte order)."""
    machine = supported()
    if machine is None:
        raise OSError(f"seccomp: no syscall table for {platform.machine()}")
    audit_arch, table = _TABLES[machine]
    eperm = _ERRNO | EPERM
    prog = [_ins(_LD_ABS, _ARCH), _ins(_JEQ, audit_arch, 1, 0), _ins(_RET, _KILL_PROCESS),
            _ins(_LD_ABS, _NR)]
    if machine == "x86_64":  # the x32 ABI reuses numbers with bit 30 set
        prog += [_ins(_JGE, 0x40000000, 0, 1), _ins(_RET, _KILL_PROCESS)]
    for name, nr in sorted(table.items()):
        if not name.startswith("_"):
            prog += [_ins(_JEQ, nr, 0, 1), _ins(_RET, eperm)]
    prog += [_ins(_JEQ, table["_clone3"], 0, 1), _ins(_RET, _ERRNO | ENOSYS)]
    prog += [_ins(_JEQ, table["_socket"], 0, 4), _ins(_LD_ABS, _ARG0),
             _ins(_JEQ, AF_UNIX, 0, 1), _ins(_RET, eperm), _ins(_RET, _ALLOW)]
    prog += [_ins(_JEQ, table["_clone"], 0, 4), _ins(_LD_ABS, _ARG0),
             _ins(_JSET, _CLONE_NEW, 0, 1), _ins(_RET, eperm), _ins(_RET, _ALLOW)]
    prog.append(_ins(_RET, _ALLOW))
    return b"".join(prog)
