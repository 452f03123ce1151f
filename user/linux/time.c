/*
 * Clocks and sleeping.  The server's one clock is the kernel's timer tick
 * (SYS_CLOCK, L4_TICK_HZ a second): CLOCK_MONOTONIC is the ticks since
 * boot, so every clock has the tick's resolution (10 ms).  CLOCK_REALTIME
 * is the time of day read once from the PC's real-time clock (CMOS) when
 * the server starts, plus the monotonic time since.
 *
 * A sleep sets p->wake_at, a deadline in ticks, and returns LX_BLOCK: the
 * process gets no reply.  main.c's receive times out at the earliest
 * deadline (time_next_timeout), which is an event: the sleeping call runs
 * again, and finishes once its deadline has passed.
 */
#include "linux.h"
#include "io.h"

#define NS_PER_SEC  1000000000ull
#define NS_PER_TICK (NS_PER_SEC / L4_TICK_HZ)
#define MAX_SLEEP_TICKS 0x3FFFFFFFu     /* about 124 days: deadlines compare by signed difference */

static uint64_t epoch_at_boot_ns;      /* CLOCK_REALTIME when the tick count was 0 */
static uint64_t rng_state;

static uint64_t monotonic_ns(void)
{
    return (uint64_t)l4_clock() * NS_PER_TICK;
}

/* Days from 1970-01-01 to the date y-m-d (proleptic Gregorian): a year
   counted from March, so that the leap day comes last. */
static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned from_bcd(uint8_t v, int bcd)
{
    return bcd ? (v >> 4) * 10u + (v & 15u) : v;
}

/* The CMOS clock's time of day in seconds since 1970 (UTC, as QEMU keeps
   it by default), or 0 if it cannot be read.  Its registers are read
   while no update is in progress (register A bit 7), twice, until two
   reads agree: a second may tick over between the registers. */
static uint64_t rtc_seconds(void)
{
    if (l4_io_access() != 0)
        return 0;
    uint8_t now[7], before[7];
    static const uint8_t regs[7] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32};
    for (int tries = 0; tries < 10; tries++) {
        for (unsigned spin = 0; spin < 100000 && (rtc_read(RTC_A) & 0x80); spin++)
            ;
        for (unsigned i = 0; i < 7; i++)
            now[i] = rtc_read(regs[i]);
        if (tries > 0 && memcmp(now, before, sizeof now) == 0)
            break;
        memcpy(before, now, sizeof now);
    }
    uint8_t b = rtc_read(RTC_B);
    int bcd = !(b & 0x04);
    unsigned sec = from_bcd(now[0], bcd), min = from_bcd(now[1], bcd);
    unsigned hour = from_bcd(now[2] & 0x7F, bcd);
    if (!(b & 0x02) && (now[2] & 0x80))
        hour = hour % 12 + 12;          /* a 12-hour clock's PM */
    unsigned day = from_bcd(now[3], bcd), mon = from_bcd(now[4], bcd);
    unsigned year = from_bcd(now[5], bcd), century = from_bcd(now[6], bcd);
    year += century >= 19 && century <= 30 ? century * 100 : 2000;
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
        return 0;
    return (uint64_t)(days_from_civil((int)year, mon, day) * 86400 + hour * 3600 + min * 60 + sec);
}

/* 2026-01-01 00:00:00 UTC: the time of day when there is no real-time clock. */
#define FALLBACK_EPOCH 1767225600ull

void time_init(void)
{
    uint64_t s = rtc_seconds();
    if (s == 0) {
        printf("linux: no real-time clock: CLOCK_REALTIME starts at 2026-01-01\n");
        s = FALLBACK_EPOCH;
    }
    epoch_at_boot_ns = s * NS_PER_SEC - monotonic_ns();
    rng_state = rdtsc() | 1;
}

/* A clock's time now in nanoseconds: 0, or -LX_EINVAL for a clock there is
   not.  The coarse, raw and boot-time clocks are the monotonic clock (the
   machine never suspends); the CPU-time clocks too: the server does not
   count a process's CPU time, and the time since boot bounds it. */
static int clock_now(uint32_t clock, uint64_t *ns)
{
    switch (clock) {
    case LX_CLOCK_REALTIME:
    case LX_CLOCK_REALTIME_COARSE:
        *ns = epoch_at_boot_ns + monotonic_ns();
        return 0;
    case LX_CLOCK_MONOTONIC:
    case LX_CLOCK_MONOTONIC_RAW:
    case LX_CLOCK_MONOTONIC_COARSE:
    case LX_CLOCK_BOOTTIME:
    case LX_CLOCK_PROCESS_CPUTIME_ID:
    case LX_CLOCK_THREAD_CPUTIME_ID:
        *ns = monotonic_ns();
        return 0;
    default:
        return -LX_EINVAL;
    }
}

static int32_t sys_time(struct proc *p, struct regs *r)
{
    uint64_t ns;
    clock_now(LX_CLOCK_REALTIME, &ns);
    int32_t t = (int32_t)(ns / NS_PER_SEC);
    if (r->ebx && copy_out(&p->mm, r->ebx, &t, sizeof t) < 0)
        return -LX_EFAULT;
    return t;
}

/* gettimeofday(tv, tz): either may be NULL; the time zone is UTC. */
static int32_t sys_gettimeofday(struct proc *p, struct regs *r)
{
    uint64_t ns;
    clock_now(LX_CLOCK_REALTIME, &ns);
    struct lx_timeval tv = {(int32_t)(ns / NS_PER_SEC), (int32_t)(ns % NS_PER_SEC / 1000)};
    static const int32_t utc[2] = {0, 0};      /* minutes west, DST type */
    if (r->ebx && copy_out(&p->mm, r->ebx, &tv, sizeof tv) < 0)
        return -LX_EFAULT;
    if (r->ecx && copy_out(&p->mm, r->ecx, utc, sizeof utc) < 0)
        return -LX_EFAULT;
    return 0;
}

/* Writes ns as the caller's timespec at addr, 32- or 64-bit. */
static int32_t put_timespec(struct proc *p, uint32_t addr, uint64_t ns, int wide)
{
    if (wide) {
        struct lx_timespec64 ts = {(int64_t)(ns / NS_PER_SEC), (int64_t)(ns % NS_PER_SEC)};
        return copy_out(&p->mm, addr, &ts, sizeof ts);
    }
    struct lx_timespec32 ts = {(int32_t)(ns / NS_PER_SEC), (int32_t)(ns % NS_PER_SEC)};
    return copy_out(&p->mm, addr, &ts, sizeof ts);
}

/* Reads the caller's time at addr (a struct timespec, 32- or 64-bit, or a
   struct timeval: form) as nanoseconds: 0, -LX_EFAULT, or -LX_EINVAL for a
   negative time or a fraction beyond a second.  The 64-bit timespec's
   nanoseconds are a 32-bit long padded, as i386 Linux reads them. */
static int get_time(struct proc *p, uint32_t addr, int form, uint64_t *ns)
{
    int64_t sec;
    int32_t nsec;
    if (form == LX_TIME_TS64) {
        struct lx_timespec64 ts;
        if (copy_in(&p->mm, &ts, addr, sizeof ts) < 0)
            return -LX_EFAULT;
        sec = ts.sec, nsec = (int32_t)ts.nsec;
    } else if (form == LX_TIME_TS32) {
        struct lx_timespec32 ts;
        if (copy_in(&p->mm, &ts, addr, sizeof ts) < 0)
            return -LX_EFAULT;
        sec = ts.sec, nsec = ts.nsec;
    } else {
        struct lx_timeval tv;
        if (copy_in(&p->mm, &tv, addr, sizeof tv) < 0)
            return -LX_EFAULT;
        if (tv.usec < 0 || tv.usec >= 1000000)
            return -LX_EINVAL;
        sec = tv.sec, nsec = tv.usec * 1000;
    }
    if (sec < 0 || nsec < 0 || (uint32_t)nsec >= NS_PER_SEC)
        return -LX_EINVAL;
    if ((uint64_t)sec > 0x7FFFFFFFull * 4)
        sec = 0x7FFFFFFFll * 4;         /* centuries: beyond any sleep we can time */
    *ns = (uint64_t)sec * NS_PER_SEC + (uint32_t)nsec;
    return 0;
}

static int32_t clock_gettime_common(struct proc *p, struct regs *r, int wide)
{
    uint64_t ns;
    int err = clock_now(r->ebx, &ns);
    return err ? err : put_timespec(p, r->ecx, ns, wide);
}

static int32_t sys_clock_gettime(struct proc *p, struct regs *r)
{
    return clock_gettime_common(p, r, 0);
}

static int32_t sys_clock_gettime64(struct proc *p, struct regs *r)
{
    return clock_gettime_common(p, r, 1);
}

/* clock_getres(clock, res): the tick, for every clock; res may be NULL. */
static int32_t sys_clock_getres(struct proc *p, struct regs *r)
{
    uint64_t ns;
    int err = clock_now(r->ebx, &ns);
    if (err || !r->ecx)
        return err;
    return put_timespec(p, r->ecx, NS_PER_TICK, 0);
}

/* The sleeping part of every sleep: on the call's first run (io_done 0) the
   deadline, ticks from now, is set; each run after that finishes the call
   once the deadline has passed.  A sleep of n ticks ends n whole ticks
   after the tick it began in, so that CLOCK_MONOTONIC, read before and
   after, moves by at least the time asked for. */
/* Whether a deadline may be set: the receive's timeout needs no look at
   every process while nobody sleeps (that is, on almost every call).
   main.c reads it before it calls time_next_timeout (linux.h). */
int lx_deadlines;

int32_t time_sleep(struct proc *p, uint64_t ticks)
{
    uint32_t now = l4_clock();
    if (p->io_done == 0) {
        if (ticks == 0)
            return 0;
        p->wake_at = now + (uint32_t)(ticks < MAX_SLEEP_TICKS ? ticks : MAX_SLEEP_TICKS);
        p->wake_at += p->wake_at == 0;          /* 0 means "no deadline" */
        p->io_done = 1;
        lx_deadlines = 1;
    }
    if ((int32_t)(now - p->wake_at) < 0)
        return LX_BLOCK;
    p->wake_at = 0;
    return 0;
}

static uint64_t ns_to_ticks(uint64_t ns)
{
    return (ns + NS_PER_TICK - 1) / NS_PER_TICK;
}

int time_timeout(struct proc *p, uint32_t addr, int form, uint64_t *ticks)
{
    uint64_t ns;
    int err = get_time(p, addr, form, &ns);
    if (!err)
        *ticks = ns_to_ticks(ns);
    return err;
}

/* The ticks a sleep on clock until the time given at addr (absolute if
   abs, else relative) has to wait: 0 or -LX_E*.  Only on the call's first
   run: the deadline is fixed then. */
static int sleep_length(struct proc *p, uint32_t clock, uint32_t addr, int abs, int wide,
                        uint64_t *ticks)
{
    uint64_t ns, now;
    *ticks = 0;
    if (p->io_done)
        return 0;               /* a waiting sleep: its deadline is set */
    int err = get_time(p, addr, wide ? LX_TIME_TS64 : LX_TIME_TS32, &ns);
    if (err)
        return err;
    if (abs) {
        clock_now(clock, &now);
        ns = ns > now ? ns - now : 0;
    }
    *ticks = ns_to_ticks(ns);
    return 0;
}

/* nanosleep(req, rem): rem is for an interrupted sleep, which there is not
   (no signal handlers yet), so it is never written. */
static int32_t sys_nanosleep(struct proc *p, struct regs *r)
{
    uint64_t ticks;
    int err = sleep_length(p, LX_CLOCK_MONOTONIC, r->ebx, 0, 0, &ticks);
    return err ? err : time_sleep(p, ticks);
}

/* clock_nanosleep(clock, flags, req, rem): on the real-time or a monotonic
   clock (Linux refuses the coarse and CPU-time clocks), TIMER_ABSTIME
   making req a deadline. */
static int32_t clock_nanosleep_common(struct proc *p, struct regs *r, int wide)
{
    uint32_t clock = r->ebx;
    if (clock != LX_CLOCK_REALTIME && clock != LX_CLOCK_MONOTONIC && clock != LX_CLOCK_BOOTTIME)
        return -LX_EINVAL;
    if (r->ecx & ~(uint32_t)LX_TIMER_ABSTIME)
        return -LX_EINVAL;
    uint64_t ticks;
    int err = sleep_length(p, clock, r->edx, r->ecx & LX_TIMER_ABSTIME, wide, &ticks);
    return err ? err : time_sleep(p, ticks);
}

static int32_t sys_clock_nanosleep(struct proc *p, struct regs *r)
{
    return clock_nanosleep_common(p, r, 0);
}

static int32_t sys_clock_nanosleep64(struct proc *p, struct regs *r)
{
    return clock_nanosleep_common(p, r, 1);
}

/* A xorshift generator, seeded from the time-stamp counter at start and
   stirred by it at every call: random enough for hash seeds and temporary
   names, and no cryptographic source (the server has none). */
static uint32_t random_word(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return (uint32_t)(x >> 32);
}

/* getrandom(buf, len, flags): len random bytes; never waits. */
static int32_t sys_getrandom(struct proc *p, struct regs *r)
{
    uint32_t flags = r->edx, len = r->ecx;
    if (flags & ~(uint32_t)(LX_GRND_NONBLOCK | LX_GRND_RANDOM | LX_GRND_INSECURE) ||
        (flags & LX_GRND_RANDOM && flags & LX_GRND_INSECURE))
        return -LX_EINVAL;
    if (len > 0x1FFFFFF)
        len = 0x1FFFFFF;        /* Linux's limit for one call */
    rng_state ^= rdtsc();
    uint32_t chunk[64];
    for (uint32_t done = 0; done < len; ) {
        uint32_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        for (unsigned i = 0; i < sizeof chunk / 4; i++)
            chunk[i] = random_word();
        if (copy_out(&p->mm, r->ebx + done, chunk, n) < 0)
            return done ? (int32_t)done : -LX_EFAULT;
        done += n;
    }
    return (int32_t)len;
}

struct earliest {
    int any;
    int32_t left;               /* ticks until the earliest deadline */
};

static void earliest_deadline(struct proc *p, void *arg)
{
    struct earliest *e = arg;
    if (!p->waiting || p->state != P_RUNNING || !p->wake_at)
        return;
    int32_t left = (int32_t)(p->wake_at - l4_clock());
    if (!e->any || left < e->left)
        e->left = left;
    e->any = 1;
}

uint16_t time_next_timeout(void)
{
    struct earliest e = {0, 0};
    if (!lx_deadlines)
        return L4_TIMEOUT_NEVER;
    proc_for_each(earliest_deadline, &e);
    if (!e.any) {
        lx_deadlines = 0;       /* until the next sleep */
        return L4_TIMEOUT_NEVER;
    }
    if (e.left <= 0)
        return L4_TIMEOUT_ZERO;         /* passed already: the receive times out at once */
    return e.left < 0xFFFE ? (uint16_t)e.left : 0xFFFE;
}

const struct lx_callent lx_time_calls[] = {
    {LX_time, sys_time},
    {LX_gettimeofday, sys_gettimeofday},
    {LX_clock_gettime, sys_clock_gettime},
    {LX_clock_gettime64, sys_clock_gettime64},
    {LX_clock_getres, sys_clock_getres},
    {LX_nanosleep, sys_nanosleep},
    {LX_clock_nanosleep, sys_clock_nanosleep},
    {LX_clock_nanosleep_time64, sys_clock_nanosleep64},
    {LX_getrandom, sys_getrandom},
    {0, NULL},
};
