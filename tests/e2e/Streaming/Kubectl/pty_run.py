#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal of ROWSxCOLS, as at a person's terminal, for the e2e
suite's terminal cases: a newline is typed every 0.3 s until EXPECT_FIRST has been printed
(the size reaches the container's terminal only after its command has started, so the first
answers may come before it); then the terminal is resized to ROWS2xCOLS2 (the kernel signals
SIGWINCH to the command) and a newline is typed every 0.3 s until EXPECT_SECOND has been
printed, then ^D. Everything printed goes to stdout; the exit code is the command's. Bounded:
after TIMEOUT seconds the command is killed (exit 124).

usage: pty_run.py ROWS COLS EXPECT_FIRST ROWS2 COLS2 EXPECT_SECOND TIMEOUT -- COMMAND...
"""
import fcntl, os, select, signal, struct, sys, termios, time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    rows, cols, first, rows2, cols2, second, timeout = sys.argv[1:8]
    command = sys.argv[9:]
    master, slave = os.openpty()
    # Sized before the command starts, so the size it reads first is ours.
    set_size(slave, int(rows), int(cols))
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.execvp(command[0], command)
    os.close(slave)
    output = b""
    resized = False
    deadline = time.monotonic() + float(timeout)
    next_key = 0.0
    status = None
    while status is None:
        now = time.monotonic()
        if now > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.write(output.decode(errors="replace"))
            sys.exit(124)
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                chunk = b""
            output += chunk
        if not resized and first.encode() in output:
            set_size(master, int(rows2), int(cols2))
            resized = True
            next_key = now + 0.5
        elif now >= next_key:
            os.write(master, b"\x04" if resized and second.encode() in output else b"\n")
            next_key = now + 0.3
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    sys.stdout.write(output.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
