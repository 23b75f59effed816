namespace CriO.Server.Containers.Spec;

/// <summary>
/// The RuntimeDefault seccomp profile, the source of manifests/seccomp/default.json (a test keeps
/// the two equal). Unknown syscalls fail with EPERM. The allow-list is containers-common's
/// default, except that, as in Docker's profile, what only an admin should do needs the
/// capability for it: mount, namespaces (unshare, setns, clone with namespace flags), pivot_root,
/// the new mount API, syslog and reboot need CAP_SYS_ADMIN / CAP_SYS_BOOT; the kernel keyring
/// (keyctl, add_key, request_key) is closed, since it is not namespaced.
/// </summary>
public static class DefaultSeccompProfile
{
    private const uint Eperm = 1;
    private const uint Einval = 22;
    private const uint Enosys = 38;

    // The clone flags that make namespaces: CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET.
    private const ulong CloneNamespaceFlags = 0x7E020000;

    private static readonly string[] Allowed =
    [
        "_llseek", "_newselect", "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk",
        "cachestat", "capget", "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime",
        "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
        "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range",
        "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
        "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve",
        "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
        "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32",
        "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork",
        "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync",
        "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv",
        "futex_wake", "futimesat", "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents",
        "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
        "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
        "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage",
        "getsid", "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
        "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy",
        "io_getevents", "io_setup", "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc", "kill",
        "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32",
        "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "lremovexattr", "lseek",
        "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack", "memfd_create", "memfd_secret",
        "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
        "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd",
        "msync", "munlock", "munlockall", "munmap", "nanosleep", "newfstatat", "open", "openat", "openat2",
        "pause", "pidfd_getfd", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
        "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv",
        "preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev",
        "pwritev2", "read", "readahead", "readdir", "readlink", "readlinkat", "readv", "recv", "recvfrom",
        "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat",
        "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
        "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
        "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity",
        "sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
        "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
        "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
        "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto",
        "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32", "setfsuid",
        "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid",
        "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32",
        "setreuid", "setreuid32", "setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr",
        "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4",
        "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statx",
        "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time",
        "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64",
        "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
        "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit",
        "umask", "uname", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork",
        "wait4", "waitid", "waitpid", "write", "writev",    ];

    public static SeccompProfile Create()
    {
        var rules = new List<SeccompRule>
        {
            new() { Names = [.. Allowed], Action = "SCMP_ACT_ALLOW" },
            Arg("personality", 0x0),
            Arg("personality", 0x8),
            Arg("personality", 0x20000),
            Arg("personality", 0x20008),
            Arg("personality", 0xffffffff),
            Arches(["sync_file_range2", "swapcontext"], "ppc64le"),
            Arches(["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"], "arm", "arm64"),
            Arches(["arch_prctl"], "amd64", "x32"),
            Arches(["modify_ldt"], "amd64", "x32", "x86"),
            Arches(["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"], "s390", "s390x"),
            Arches(["riscv_flush_icache"], "riscv64"),
            new()
            {
                Names = ["bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
                    "mount", "mount_setattr", "move_mount", "name_to_handle_at", "open_tree", "perf_event_open", "pivot_root",
                    "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare"],
                Action = "SCMP_ACT_ALLOW",
                Includes = new SeccompFilter { Caps = ["CAP_SYS_ADMIN"] },
            },

            // Without CAP_SYS_ADMIN: fork and threads, but no clone that makes a namespace...
            new()
            {
                Names = ["clone"], Action = "SCMP_ACT_ALLOW",
                Args = [new SeccompArg { Index = 0, Value = CloneNamespaceFlags, ValueTwo = 0, Op = "SCMP_CMP_MASKED_EQ" }],
                Excludes = new SeccompFilter { Caps = ["CAP_SYS_ADMIN"], Arches = ["s390", "s390x"] },
            },
            new()
            {
                Names = ["clone"], Action = "SCMP_ACT_ALLOW",
                Args = [new SeccompArg { Index = 1, Value = CloneNamespaceFlags, ValueTwo = 0, Op = "SCMP_CMP_MASKED_EQ" }],
                Includes = new SeccompFilter { Arches = ["s390", "s390x"] },
                Excludes = new SeccompFilter { Caps = ["CAP_SYS_ADMIN"] },
            },

            // ...and clone3, whose flags seccomp cannot see, answers ENOSYS so libc falls back to clone.
            new()
            {
                Names = ["clone3"], Action = "SCMP_ACT_ERRNO", ErrnoRet = Enosys,
                Excludes = new SeccompFilter { Caps = ["CAP_SYS_ADMIN"] },
            },
            Caps(["reboot"], "CAP_SYS_BOOT"),
            Caps(["chroot"], "CAP_SYS_CHROOT"),
            Caps(["delete_module", "init_module", "finit_module"], "CAP_SYS_MODULE"),
            Caps(["acct"], "CAP_SYS_PACCT"),
            Caps(["kcmp", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"], "CAP_SYS_PTRACE"),
            Caps(["iopl", "ioperm"], "CAP_SYS_RAWIO"),
            Caps(["settimeofday", "stime", "clock_settime", "clock_settime64"], "CAP_SYS_TIME"),
            Caps(["vhangup"], "CAP_SYS_TTY_CONFIG"),
            Caps(["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"], "CAP_SYS_NICE"),
            Caps(["syslog"], "CAP_SYSLOG"),
            Caps(["bpf"], "CAP_BPF"),
            Caps(["perf_event_open"], "CAP_PERFMON"),
            Caps(["open_by_handle_at"], "CAP_DAC_READ_SEARCH"),

            // Audit netlink sockets (AF_NETLINK, NETLINK_AUDIT) need CAP_AUDIT_WRITE; other sockets are fine.
            new()
            {
                Names = ["socket"], Action = "SCMP_ACT_ERRNO", ErrnoRet = Einval,
                Args = [new SeccompArg { Index = 0, Value = 16, Op = "SCMP_CMP_EQ" }, new SeccompArg { Index = 2, Value = 9, Op = "SCMP_CMP_EQ" }],
                Excludes = new SeccompFilter { Caps = ["CAP_AUDIT_WRITE"] },
            },
            new()
            {
                Names = ["socket"], Action = "SCMP_ACT_ALLOW",
                Args = [new SeccompArg { Index = 2, Value = 9, Op = "SCMP_CMP_NE" }],
                Excludes = new SeccompFilter { Caps = ["CAP_AUDIT_WRITE"] },
            },
            new()
            {
                Names = ["socket"], Action = "SCMP_ACT_ALLOW",
                Args = [new SeccompArg { Index = 0, Value = 16, Op = "SCMP_CMP_NE" }],
                Excludes = new SeccompFilter { Caps = ["CAP_AUDIT_WRITE"] },
            },
            Caps(["socket"], "CAP_AUDIT_WRITE"),
        };

        return new SeccompProfile
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = Eperm,
            ArchMap =
            [
                Map("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
                Map("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"),
                Map("SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"),
                Map("SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"),
                Map("SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"),
                Map("SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"),
                Map("SCMP_ARCH_S390X", "SCMP_ARCH_S390"),
                Map("SCMP_ARCH_PPC64LE"),
                Map("SCMP_ARCH_RISCV64"),
            ],
            Syscalls = rules,
        };
    }

    private static SeccompRule Arg(string name, ulong value) => new()
    {
        Names = [name], Action = "SCMP_ACT_ALLOW",
        Args = [new SeccompArg { Index = 0, Value = value, ValueTwo = 0, Op = "SCMP_CMP_EQ" }],
    };

    private static SeccompRule Arches(List<string> names, params string[] arches) =>
        new() { Names = names, Action = "SCMP_ACT_ALLOW", Includes = new SeccompFilter { Arches = [.. arches] } };

    private static SeccompRule Caps(List<string> names, string capability) =>
        new() { Names = names, Action = "SCMP_ACT_ALLOW", Includes = new SeccompFilter { Caps = [capability] } };

    private static SeccompArchMap Map(string architecture, params string[] sub) =>
        new() { Architecture = architecture, SubArchitectures = sub.Length > 0 ? [.. sub] : null };
}
