/*
 * The console: the serial line, as the open file that the first process
 * gets as its fds 0, 1 and 2 (and every process inherits).  Output goes
 * out through the kernel's console call.
 *
 * Input comes from the Lab 4 serial driver (user/serial_drv.c), booted as
 * the module just before the server.  The server's one thread must never
 * wait for it, so a second thread of the server, the reader, does: it
 * calls the driver for bytes, and passes each batch on to the main thread
 * by IPC (label LX_LABEL_CONSOLE), where serve() hands it to console_input
 * at once.  The bytes go through a small line discipline, as a Linux
 * terminal's: in canonical mode (the default) a read gets a whole line,
 * typed with echo, erase (DEL or backspace), kill (^U) and end of file (^D
 * at a line's start); a program that clears ICANON with TCSETS gets each
 * byte as it comes (raw mode); ^C and ^\ send SIGINT and SIGQUIT.  With no
 * driver booted (the server right after sigma0), a read is end of file.
 */
#include "linux.h"
#include "serial.h"

#define IN_SIZE   1024          /* typed bytes no read has taken yet */
#define MAX_LINES 64            /* canonical mode: finished lines waiting */
#define EDIT_MAX  255           /* canonical mode: the longest line */
#define FIRST_PID 1             /* the first process (the shell): ^C spares it */

/* The terminal's settings (TCGETS, TCSETS), as a Linux console starts. */
static struct lx_termios tio = {
    .iflag = LX_ICRNL | LX_IXON,
    .oflag = LX_OPOST | LX_ONLCR,
    .cflag = LX_B38400 | LX_CS8 | LX_CREAD | LX_HUPCL,
    .lflag = LX_ISIG | LX_ICANON | LX_ECHO | LX_ECHOE | LX_ECHOK | LX_ECHOCTL | LX_ECHOKE |
             LX_IEXTEN,
    .cc = {[LX_VINTR] = 3, [LX_VQUIT] = 0x1C, [LX_VERASE] = 0x7F, [LX_VKILL] = 0x15,
           [LX_VEOF] = 4, [LX_VMIN] = 1, [LX_VSTART] = 0x11, [LX_VSTOP] = 0x13,
           [LX_VSUSP] = 0x1A, [LX_VREPRINT] = 0x12, [LX_VDISCARD] = 0x0F,
           [LX_VWERASE] = 0x17, [LX_VLNEXT] = 0x16},
};
static struct lx_winsize winsize = {24, 80, 0, 0};
static int32_t pgrp = FIRST_PID;       /* TIOCSPGRP's, kept for TIOCGPGRP */

/* Input that reads may take: a ring of bytes.  In canonical mode it is a
   queue of finished lines, line_len[] giving each one's bytes (0: an end
   of file, ^D typed at a line's start); in raw mode just bytes. */
static uint8_t in[IN_SIZE];
static uint32_t in_head, in_count;
static uint32_t line_len[MAX_LINES];
static unsigned line_head, nlines;
/* Canonical mode: the line being typed, which no read sees until it ends. */
static uint8_t edit[EDIT_MAX];
static uint32_t edit_len;
/* What the typing echoes, written out at the end of each batch. */
static char echo_buf[4 * SERIAL_MAX_BYTES + 8 * EDIT_MAX];
static uint32_t echo_len;

static const struct file_ops console_ops;

static l4_tid_t driver = L4_NILTHREAD;  /* the serial driver, if one was booted */
static l4_tid_t reader = L4_NILTHREAD;  /* the server's thread that waits for it */

static int canonical(void)
{
    return tio.lflag & LX_ICANON;
}

/* Whether c is the control character cc[i] (0 there: none). */
static int is_cc(uint8_t c, unsigned i)
{
    return tio.cc[i] != 0 && c == tio.cc[i];
}

static void echo(const char *s, uint32_t n)
{
    if (!(tio.lflag & LX_ECHO))
        return;
    for (uint32_t i = 0; i < n && echo_len < sizeof echo_buf; i++)
        echo_buf[echo_len++] = s[i];
}

/* Echoes a typed byte; control characters as ^X (ECHOCTL), but tab and newline. */
static void echo_char(uint8_t c)
{
    if (c < 0x20 && c != '\n' && c != '\t' && (tio.lflag & LX_ECHOCTL)) {
        char s[2] = {'^', (char)(c ^ 0x40)};
        echo(s, 2);
    } else if (c == 0x7F && (tio.lflag & LX_ECHOCTL)) {
        echo("^?", 2);
    } else {
        echo((const char *)&c, 1);
    }
}

/* Takes the last character off the line being typed, and off the screen. */
static void erase_char(void)
{
    if (edit_len == 0)
        return;
    uint8_t c = edit[--edit_len];
    int width = (c < 0x20 || c == 0x7F) && (tio.lflag & LX_ECHOCTL) ? 2 : 1;
    for (int i = 0; i < width; i++)
        echo(tio.lflag & LX_ECHOE ? "\b \b" : "\b", tio.lflag & LX_ECHOE ? 3 : 1);
}

static void in_put(const uint8_t *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        in[(in_head + in_count + i) % IN_SIZE] = s[i];
    in_count += n;
}

/* Canonical mode: the line typed so far (maybe empty: end of file) is
   finished, and a read may take it. */
static void line_finish(void)
{
    if (nlines < MAX_LINES) {
        in_put(edit, edit_len);
        line_len[(line_head + nlines) % MAX_LINES] = edit_len;
        nlines++;
    }
    edit_len = 0;
}

/* Drops all typed input (^C, TCSETSF). */
static void input_flush(void)
{
    in_count = nlines = edit_len = 0;
}

static void signal_one(struct proc *p, void *arg)
{
    int sig = *(int *)arg;
    if (p->pid == FIRST_PID || p->state != P_RUNNING)
        return;
    for (unsigned fd = 0; fd < MAX_FDS; fd++)
        if (p->fd[fd] && p->fd[fd]->ops == &console_ops) {
            lx_signal(p, sig);
            return;
        }
}

/* ^C and ^\: the signal goes to every process that has the console open,
   but the first one (the shell, which would end with it). */
static void interrupt(int sig)
{
    input_flush();
    proc_for_each(signal_one, &sig);
}

/* One typed byte through the line discipline. */
static void key(uint8_t c)
{
    if (c == '\r' && (tio.iflag & LX_IGNCR))
        return;
    if (c == '\r' && (tio.iflag & LX_ICRNL))
        c = '\n';
    else if (c == '\n' && (tio.iflag & LX_INLCR))
        c = '\r';
    if ((tio.lflag & LX_ISIG) && (is_cc(c, LX_VINTR) || is_cc(c, LX_VQUIT))) {
        echo_char(c);
        interrupt(is_cc(c, LX_VINTR) ? LX_SIGINT : LX_SIGQUIT);
        return;
    }
    if (!canonical()) {
        if (in_count < IN_SIZE) {
            in_put(&c, 1);
            echo_char(c);
        }
        return;
    }
    if (is_cc(c, LX_VERASE) || c == '\b') {
        erase_char();
    } else if (is_cc(c, LX_VKILL)) {
        while (edit_len)
            erase_char();
    } else if (is_cc(c, LX_VEOF)) {
        line_finish();          /* no newline: at a line's start, end of file */
    } else if (in_count + edit_len + 1 >= IN_SIZE || edit_len == EDIT_MAX) {
        echo("\a", 1);          /* full: the byte is dropped, as a terminal beeps */
    } else {
        edit[edit_len++] = c;
        echo_char(c);
        if (c == '\n' || is_cc(c, LX_VEOL))
            line_finish();
    }
}

int console_is_reader(l4_tid_t from)
{
    return reader != L4_NILTHREAD && from == reader;
}

/* The reader's message: MR1 = n, MR2.. the bytes, as the driver sent
   them.  They go through the line discipline; the reply (empty) lets the
   reader ask the driver for more.  1: the reply is in the MRs. */
int console_input(void)
{
    uint32_t words = l4_tag_untyped(l4_mr(0));
    uint32_t n = l4_mr(1);
    if (words == 0 || n > 4 * (words - 1))
        n = words ? 4 * (words - 1) : 0;
    echo_len = 0;
    for (uint32_t i = 0; i < n; i++)
        key((uint8_t)serial_reply_byte(i));
    if (echo_len)
        l4_kdb_puts(echo_buf, echo_len);
    lx_event();                 /* a waiting read may take it */
    l4_set_mr(0, l4_tag_make(0, 0, 0));
    return 1;
}

static uint32_t reader_stack[1024];

/* The reader thread: asks the driver for bytes (it answers when some were
   typed) and passes them on to the main thread, which answers at once.
   A refused request (another client is waiting at the driver) is tried
   again a little later. */
static void reader_main(void)
{
    for (;;) {
        l4_set_mr(0, l4_tag_make(SERIAL_READ, 1, 0));
        l4_set_mr(1, SERIAL_MAX_BYTES);
        if (l4_call(driver) < 0 || l4_mr(1) == 0) {
            sleep_ticks(10);
            continue;
        }
        uint32_t n = l4_mr(1) < SERIAL_MAX_BYTES ? l4_mr(1) : SERIAL_MAX_BYTES;
        l4_set_mr(0, l4_tag_make(LX_LABEL_CONSOLE, 1 + (n + 3) / 4, 0));
        l4_set_mr(1, n);
        l4_call(lx_self);
    }
}

/* The driver is the boot module just before the server's, unless that is
   module 0 (sigma0): boot modules are threads 1, 2, ... in order. */
void console_init(void)
{
    uint32_t module = l4_tid_number(lx_self) - 1;
    if (module < 2)
        return;
    driver = l4_boot_tid(module - 1);
    int32_t tid = thread_spawn(reader_main, reader_stack, sizeof reader_stack);
    if (tid < 0) {
        printf("linux: no thread for the console's input (error %d): reads are end of file\n",
               tid);
        driver = L4_NILTHREAD;
        return;
    }
    reader = (l4_tid_t)tid;
}

static int32_t console_write(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    (void)f;
    char chunk[256];
    for (uint32_t done = 0; done < len; ) {
        uint32_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        if (copy_in(&p->mm, chunk, buf + done, n) < 0)
            return done ? (int32_t)done : -LX_EFAULT;
        l4_kdb_puts(chunk, n);
        done += n;
    }
    return (int32_t)len;
}

/* read of the console: in canonical mode at most the rest of one line, in
   raw mode what was typed.  Nothing there: wait for typing (O_NONBLOCK:
   -LX_EAGAIN; raw mode with VMIN 0: 0 at once; no driver: end of file). */
static int32_t console_read(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    if (len == 0)
        return 0;
    uint32_t avail = canonical() ? (nlines ? line_len[line_head] : 0) : in_count;
    if (canonical() && nlines && avail == 0) {
        line_head = (line_head + 1) % MAX_LINES;        /* ^D: end of file, once */
        nlines--;
        return 0;
    }
    if (avail == 0) {
        if (driver == L4_NILTHREAD || (!canonical() && tio.cc[LX_VMIN] == 0))
            return 0;
        return f->flags & LX_O_NONBLOCK ? -LX_EAGAIN : LX_BLOCK;
    }
    uint32_t n = len < avail ? len : avail;
    uint32_t first = IN_SIZE - in_head < n ? IN_SIZE - in_head : n;
    if (copy_out(&p->mm, buf, in + in_head, first) < 0 ||
        copy_out(&p->mm, buf + first, in, n - first) < 0)
        return -LX_EFAULT;
    in_head = (in_head + n) % IN_SIZE;
    in_count -= n;
    if (canonical()) {
        line_len[line_head] -= n;       /* a short read leaves the line's rest */
        if (line_len[line_head] == 0) {
            line_head = (line_head + 1) % MAX_LINES;
            nlines--;
        }
    }
    return (int32_t)n;
}

/* New settings.  Switching between canonical and raw mode keeps what was
   typed: to raw mode, every byte (the unfinished line too) becomes
   readable; to canonical mode, what is there becomes one line. */
static void set_termios(const struct lx_termios *t)
{
    int was_canonical = canonical();
    tio = *t;
    if (was_canonical && !canonical()) {
        in_put(edit, edit_len);
        edit_len = nlines = 0;
    } else if (!was_canonical && canonical()) {
        nlines = 0;
        if (in_count) {
            line_head = 0;
            line_len[0] = in_count;
            nlines = 1;
        }
    }
}

static int32_t console_ioctl(struct proc *p, struct file *f, uint32_t cmd, uint32_t arg)
{
    (void)f;
    struct lx_termios t;
    int32_t v;
    switch (cmd) {
    case LX_TCGETS:
        return copy_out(&p->mm, arg, &tio, sizeof tio);
    case LX_TCSETS:
    case LX_TCSETSW:        /* output is written at once: nothing to drain */
    case LX_TCSETSF:
        if (copy_in(&p->mm, &t, arg, sizeof t) < 0)
            return -LX_EFAULT;
        if (cmd == LX_TCSETSF)
            input_flush();
        set_termios(&t);
        lx_event();         /* a waiting read may find input now (raw mode) */
        return 0;
    case LX_TIOCGWINSZ:
        return copy_out(&p->mm, arg, &winsize, sizeof winsize);
    case LX_TIOCSWINSZ:
        return copy_in(&p->mm, &winsize, arg, sizeof winsize);
    case LX_TIOCGPGRP:
        return copy_out(&p->mm, arg, &pgrp, sizeof pgrp);
    case LX_TIOCSPGRP:
        if (copy_in(&p->mm, &v, arg, sizeof v) < 0)
            return -LX_EFAULT;
        if (v <= 0)
            return -LX_EINVAL;
        pgrp = v;
        return 0;
    case LX_FIONREAD:
        v = canonical() ? (nlines ? (int32_t)line_len[line_head] : 0) : (int32_t)in_count;
        return copy_out(&p->mm, arg, &v, sizeof v);
    default:
        return -LX_ENOTTY;
    }
}

/* Ready to read when a read would not wait (end of file too). */
static uint32_t console_poll(struct file *f)
{
    (void)f;
    int input = canonical() ? nlines > 0 : in_count > 0;
    return (input || driver == L4_NILTHREAD ? LX_POLLIN : 0) | LX_POLLOUT;
}

/* A character device (5, 1), as /dev/console is on Linux. */
static int console_stat(struct file *f, struct lx_stat64 *st)
{
    (void)f;
    st->mode = LX_S_IFCHR | 0620;
    st->nlink = 1;
    st->rdev = 5 << 8 | 1;
    st->blksize = 1024;
    st->ino = st->ino32 = 1;
    return 0;
}

static const struct file_ops console_ops = {
    .kind = "console",
    .read = console_read,
    .write = console_write,
    .ioctl = console_ioctl,
    .stat = console_stat,
    .poll = console_poll,
};

struct file *console_open(void)
{
    return file_new(&console_ops, LX_O_RDWR, NULL);
}
