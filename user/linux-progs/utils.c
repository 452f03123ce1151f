/*
 * utils: the small Unix utilities of the Linux server's root file system,
 * one multi-call program (as busybox is): /bin/echo, /bin/cat, ... are
 * symbolic links to /bin/utils, and argv[0]'s last part says which to be.
 * `utils NAME ARGS` works too (before the file system follows links).
 * One program rather than thirty because every static glibc binary is
 * ~700 KB of the root file system.
 *
 * Each does the common part of what its coreutils namesake does, with the
 * same exit statuses (0 ok, 1 failed; grep and cmp: 1 for "no match" or
 * "differ", 2 for trouble; test: 1 for false, 2 for a bad expression).
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const char *prog;        /* the utility's name, for messages */

static int complain(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
    return 1;
}

/* Opens a file argument for reading ("-" is stdin): a descriptor or -1. */
static int open_in(const char *path)
{
    if (strcmp(path, "-") == 0)
        return 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        complain(path);
    return fd;
}

static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0)
            return -1;
        buf += w;
        n -= w;
    }
    return 0;
}

/* All of fd's bytes, NUL-terminated, in a malloc'ed buffer (*len bytes). */
static char *slurp(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    ssize_t r = 0;
    while (buf && (r = read(fd, buf + n, cap - n)) > 0) {
        n += r;
        if (n == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    }
    if (buf)
        buf[n] = '\0';
    *len = n;
    if (r < 0) {
        free(buf);
        return NULL;            /* errno says why */
    }
    return buf;
}

/* Splits text into lines (the newlines become NULs): their number. */
static size_t split_lines(char *text, size_t len, char ***lines)
{
    size_t n = 0, cap = 64;
    char **v = malloc(cap * sizeof *v);
    for (size_t i = 0; i < len;) {
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = text + i;
        char *nl = memchr(text + i, '\n', len - i);
        if (!nl)
            break;
        *nl = '\0';
        i = nl - text + 1;
    }
    *lines = v;
    return n;
}

/* Runs fn on each file argument (stdin if there is none): the worst status. */
static int each_input(int argc, char **argv, int (*fn)(int fd, const char *name))
{
    int st = 0;
    if (argc == 0)
        return fn(0, "-");
    for (int i = 0; i < argc; i++) {
        int fd = open_in(argv[i]);
        if (fd < 0) {
            st = 1;
            continue;
        }
        st |= fn(fd, argv[i]);
        if (fd != 0)
            close(fd);
    }
    return st;
}

/* ---- echo, cat, yes, tee ---- */

static int u_echo(int argc, char **argv)
{
    int i = 1, nl = 1;
    if (argc > 1 && strcmp(argv[1], "-n") == 0) {
        nl = 0;
        i++;
    }
    for (; i < argc; i++)
        printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    if (nl)
        putchar('\n');
    return 0;
}

static int cat_fd(int fd, const char *name)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write_all(1, buf, n) < 0)
            return complain("write");
    return n < 0 ? complain(name) : 0;
}

static int u_cat(int argc, char **argv)
{
    return each_input(argc - 1, argv + 1, cat_fd);
}

static int u_yes(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "y";
    while (printf("%s\n", s) >= 0 && !ferror(stdout))
        ;
    return 1;
}

static int u_tee(int argc, char **argv)
{
    int append = argc > 1 && strcmp(argv[1], "-a") == 0;
    int fds[16], n = 0, st = 0;
    for (int i = 1 + append; i < argc && n < 16; i++) {
        int fd = open(argv[i], O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0666);
        if (fd < 0)
            st = complain(argv[i]);
        else
            fds[n++] = fd;
    }
    char buf[4096];
    ssize_t r;
    while ((r = read(0, buf, sizeof buf)) > 0) {
        write_all(1, buf, r);
        for (int i = 0; i < n; i++)
            write_all(fds[i], buf, r);
    }
    return st;
}

/* ---- ls ---- */

static int show_all, long_form;

static void mode_string(mode_t m, char *s)
{
    s[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c' : S_ISFIFO(m) ? 'p' : '-';
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        s[1 + i] = m & (0400 >> i) ? rwx[i] : '-';
    s[10] = '\0';
}

/* One line of ls -l for path, shown as name. */
static void ls_long(const char *path, const char *name)
{
    struct stat st;
    char mode[11], when[32], target[256];
    if (lstat(path, &st) < 0) {
        complain(path);
        return;
    }
    mode_string(st.st_mode, mode);
    strftime(when, sizeof when, "%b %e %H:%M", gmtime(&st.st_mtime));
    printf("%s %2lu %4u %4u %8lld %s %s", mode, (unsigned long)st.st_nlink, st.st_uid, st.st_gid,
           (long long)st.st_size, when, name);
    ssize_t n = S_ISLNK(st.st_mode) ? readlink(path, target, sizeof target - 1) : -1;
    if (n >= 0)
        printf(" -> %.*s", (int)n, target);
    putchar('\n');
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in columns across an 80-character terminal, one a line otherwise. */
static void ls_names(char **names, int n)
{
    int width = 0;
    for (int i = 0; i < n; i++)
        if ((int)strlen(names[i]) > width)
            width = strlen(names[i]);
    int cols = isatty(1) ? 80 / (width + 2) : 1;
    if (cols < 1)
        cols = 1;
    int rows = (n + cols - 1) / cols;
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols && c * rows + r < n; c++) {
            const char *name = names[c * rows + r];
            if (c + 1 == cols || (c + 1) * rows + r >= n)
                printf("%s", name);             /* the last in its row: no padding */
            else
                printf("%-*s", width + 2, name);
        }
        putchar('\n');
    }
}

static int ls_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return complain(dir);
    char **names = NULL;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && !show_all)
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    if (long_form) {
        for (int i = 0; i < n; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            ls_long(path, names[i]);
        }
    } else {
        ls_names(names, n);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return 0;
}

static int u_ls(int argc, char **argv)
{
    int opt, st = 0;
    while ((opt = getopt(argc, argv, "la")) != -1) {
        if (opt == 'l')
            long_form = 1;
        else if (opt == 'a')
            show_all = 1;
        else
            return 2;
    }
    if (optind == argc)
        return ls_dir(".");
    for (int i = optind; i < argc; i++) {
        struct stat s;
        if (stat(argv[i], &s) < 0) {
            st = complain(argv[i]) + 1;         /* 2, as coreutils: a missing argument */
        } else if (S_ISDIR(s.st_mode)) {
            if (argc - optind > 1)
                printf("%s:\n", argv[i]);
            st |= ls_dir(argv[i]);
        } else if (long_form) {
            ls_long(argv[i], argv[i]);
        } else {
            printf("%s\n", argv[i]);
        }
    }
    return st;
}

/* ---- wc, head, tail, grep, sort ---- */

static int wc_l, wc_w, wc_c;
static long long wc_total[3];
static int wc_files;

static int wc_fd(int fd, const char *name)
{
    char buf[4096];
    long long n[3] = {0, 0, 0};
    int in_word = 0;
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < r; i++) {
            int space = buf[i] == ' ' || (buf[i] >= '\t' && buf[i] <= '\r');
            n[0] += buf[i] == '\n';
            n[1] += !space && !in_word;
            in_word = !space;
        }
        n[2] += r;
    }
    if (r < 0)
        return complain(name);
    int fields = wc_l + wc_w + wc_c;
    int wide = fields > 1 || wc_files > 1;
    const int on[3] = {wc_l, wc_w, wc_c};
    for (int i = 0, first = 1; i < 3; i++) {
        if (on[i]) {
            printf(wide ? "%s%7lld" : "%s%lld", first ? "" : " ", n[i]);
            first = 0;
        }
        wc_total[i] += n[i];
    }
    printf(strcmp(name, "-") ? " %s\n" : "\n", name);
    return 0;
}

static int u_wc(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "lwc")) != -1) {
        if (opt == '?')
            return 1;
        wc_l |= opt == 'l';
        wc_w |= opt == 'w';
        wc_c |= opt == 'c';
    }
    if (!wc_l && !wc_w && !wc_c)
        wc_l = wc_w = wc_c = 1;
    wc_files = argc - optind;
    int st = each_input(argc - optind, argv + optind, wc_fd);
    if (wc_files > 1) {
        const int on[3] = {wc_l, wc_w, wc_c};
        for (int i = 0, first = 1; i < 3; i++, first = 0)
            if (on[i])
                printf("%s%7lld", first ? "" : " ", wc_total[i]);
        printf(" total\n");
    }
    return st;
}

/* The count of head -n N, tail -n N, also written -N; *i moves past it. */
static long count_arg(int argc, char **argv, int *i)
{
    long n = 10;
    if (*i < argc && strcmp(argv[*i], "-n") == 0 && *i + 1 < argc) {
        n = atol(argv[*i + 1]);
        *i += 2;
    } else if (*i < argc && argv[*i][0] == '-' && argv[*i][1] >= '0' && argv[*i][1] <= '9') {
        n = atol(argv[*i] + 1);
        *i += 1;
    }
    return n;
}

static long line_count;

static int head_fd(int fd, const char *name)
{
    FILE *f = fdopen(dup(fd), "r");
    char line[4096];
    for (long i = 0; i < line_count && f && fgets(line, sizeof line, f); i++)
        fputs(line, stdout);
    if (f)
        fclose(f);
    return 0;
}

static int tail_fd(int fd, const char *name)
{
    size_t len;
    char *text = slurp(fd, &len);
    if (!text)
        return complain(name);
    char **lines;
    size_t n = split_lines(text, len, &lines);
    for (size_t i = n > (size_t)line_count ? n - line_count : 0; i < n; i++)
        printf("%s\n", lines[i]);
    free(lines);
    free(text);
    return 0;
}

static int u_head(int argc, char **argv)
{
    int i = 1;
    line_count = count_arg(argc, argv, &i);
    return each_input(argc - i, argv + i, strcmp(prog, "tail") == 0 ? tail_fd : head_fd);
}

static int grep_v, grep_c, grep_n, grep_i, grep_names, grep_found;
static const char *grep_pat;

static int grep_fd(int fd, const char *name)
{
    FILE *f = fdopen(dup(fd), "r");
    char line[4096];
    long count = 0, no = 0;
    while (f && fgets(line, sizeof line, f)) {
        no++;
        int hit = (grep_i ? strcasestr(line, grep_pat) : strstr(line, grep_pat)) != NULL;
        if (hit == grep_v)
            continue;
        count++;
        if (grep_c)
            continue;
        if (grep_names)
            printf("%s:", name);
        if (grep_n)
            printf("%ld:", no);
        fputs(line, stdout);
        if (!strchr(line, '\n'))
            putchar('\n');
    }
    if (f)
        fclose(f);
    if (grep_c)
        printf(grep_names ? "%s:%ld\n" : "%.0s%ld\n", name, count);
    grep_found |= count > 0;
    return 0;
}

static int u_grep(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "vcniF")) != -1) {
        if (opt == '?')
            return 2;
        grep_v |= opt == 'v';
        grep_c |= opt == 'c';
        grep_n |= opt == 'n';
        grep_i |= opt == 'i';
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: grep [-vcni] STRING [FILE...]  (fixed strings)\n");
        return 2;
    }
    grep_pat = argv[optind++];
    grep_names = argc - optind > 1;
    int st = each_input(argc - optind, argv + optind, grep_fd);
    return st ? 2 : !grep_found;
}

static int sort_rev, sort_num;

static int sort_cmp(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int c;
    if (sort_num) {
        double dx = atof(x), dy = atof(y);
        c = dx < dy ? -1 : dx > dy;
        if (c == 0)
            c = strcmp(x, y);
    } else {
        c = strcmp(x, y);
    }
    return sort_rev ? -c : c;
}

static int u_sort(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "rn")) != -1) {
        if (opt == '?')
            return 2;
        sort_rev |= opt == 'r';
        sort_num |= opt == 'n';
    }
    /* All inputs into one text, then one array of lines. */
    size_t total = 0;
    char *all = malloc(1);
    int files = argc - optind;
    for (int i = 0; i < (files ? files : 1); i++) {
        int fd = files ? open_in(argv[optind + i]) : 0;
        if (fd < 0)
            return 2;
        size_t len;
        char *text = slurp(fd, &len);
        if (!text)
            return complain(files ? argv[optind + i] : "-") + 1;
        all = realloc(all, total + len + 2);
        memcpy(all + total, text, len);
        total += len;
        if (len && text[len - 1] != '\n')
            all[total++] = '\n';
        free(text);
        if (fd != 0)
            close(fd);
    }
    char **lines;
    size_t n = split_lines(all, total, &lines);
    qsort(lines, n, sizeof *lines, sort_cmp);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", lines[i]);
    return 0;
}

/* ---- seq, sleep, true, false, pwd, env, kill, uname, date ---- */

static int u_seq(int argc, char **argv)
{
    long first = 1, step = 1, last;
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: seq [FIRST [STEP]] LAST\n");
        return 1;
    }
    last = atol(argv[argc - 1]);
    if (argc > 2)
        first = atol(argv[1]);
    if (argc > 3)
        step = atol(argv[2]);
    if (step == 0)
        return 1;
    for (long i = first; step > 0 ? i <= last : i >= last; i += step)
        printf("%ld\n", i);
    return 0;
}

static int u_sleep(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sleep SECONDS (a fraction is fine: 0.5)\n");
        return 1;
    }
    double s = atof(argv[1]);
    struct timespec t = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
    while (nanosleep(&t, &t) < 0)
        if (errno != EINTR)
            return complain("nanosleep");
    return 0;
}

static int u_true(int argc, char **argv) { return 0; }
static int u_false(int argc, char **argv) { return 1; }

static int u_pwd(int argc, char **argv)
{
    char buf[1024];
    if (!getcwd(buf, sizeof buf))
        return complain("getcwd");
    printf("%s\n", buf);
    return 0;
}

/* env [NAME=VALUE...] [COMMAND ARGS]: the environment, or a command run with more of it. */
static int u_env(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && strchr(argv[i], '='); i++)
        putenv(argv[i]);
    if (i == argc) {
        for (char **e = environ; *e; e++)
            printf("%s\n", *e);
        return 0;
    }
    fflush(stdout);
    execvp(argv[i], argv + i);
    complain(argv[i]);
    return errno == ENOENT ? 127 : 126;
}

static const struct {
    const char *name;
    int sig;
} signames[] = {{"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
                {"SEGV", SIGSEGV}, {"PIPE", SIGPIPE}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD},
                {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"STOP", SIGSTOP}, {"CONT", SIGCONT}};

/* kill [-N | -NAME | -s NAME] PID...: SIGTERM by default. */
static int u_kill(int argc, char **argv)
{
    int sig = SIGTERM, i = 1, st = 0;
    const char *name = NULL;
    if (i + 1 < argc && strcmp(argv[i], "-s") == 0) {
        name = argv[i + 1];
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && argv[i][1]) {
        name = argv[i++] + 1;
    }
    if (name) {
        const char *s = strncmp(name, "SIG", 3) == 0 ? name + 3 : name;
        sig = *s >= '0' && *s <= '9' ? atoi(s) : -1;
        for (unsigned k = 0; k < sizeof signames / sizeof signames[0]; k++)
            if (strcmp(s, signames[k].name) == 0)
                sig = signames[k].sig;
        if (sig < 0) {
            fprintf(stderr, "kill: %s: no such signal\n", name);
            return 1;
        }
    }
    if (i == argc) {
        fprintf(stderr, "usage: kill [-N | -NAME] PID...\n");
        return 1;
    }
    for (; i < argc; i++)
        if (kill(atoi(argv[i]), sig) < 0)
            st = complain(argv[i]);
    return st;
}

static int u_uname(int argc, char **argv)
{
    struct utsname u;
    if (uname(&u) < 0)
        return complain("uname");
    int all = argc > 1 && strcmp(argv[1], "-a") == 0;
    const char *opt = argc > 1 ? argv[1] : "-s";
    if (all)
        printf("%s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
    else
        for (const char *o = opt + 1; *o; o++)
            printf("%s%s", *o == 's' ? u.sysname : *o == 'n' ? u.nodename : *o == 'r' ? u.release
                   : *o == 'v' ? u.version : *o == 'm' ? u.machine : "?", o[1] ? " " : "\n");
    return 0;
}

static int u_date(int argc, char **argv)
{
    time_t t = time(NULL);
    char buf[64];
    strftime(buf, sizeof buf, "%a %b %e %H:%M:%S UTC %Y", gmtime(&t));
    printf("%s\n", buf);
    return 0;
}

/* ---- mkdir, rmdir, rm, mv, cp, ln, touch ---- */

/* mkdir -p's part: every missing directory on the way to path. */
static int mkdir_parents(char *path)
{
    for (char *s = path + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        int r = mkdir(path, 0777);
        *s = '/';
        if (r < 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0777) < 0 && errno != EEXIST ? -1 : 0;
}

static int u_mkdir(int argc, char **argv)
{
    int parents = argc > 1 && strcmp(argv[1], "-p") == 0, st = 0;
    for (int i = 1 + parents; i < argc; i++)
        if ((parents ? mkdir_parents(argv[i]) : mkdir(argv[i], 0777)) < 0)
            st = complain(argv[i]);
    return st;
}

static int u_rmdir(int argc, char **argv)
{
    int st = 0;
    for (int i = 1; i < argc; i++)
        if (rmdir(argv[i]) < 0)
            st = complain(argv[i]);
    return st;
}

static int rm_path(const char *path, int recursive, int force)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return force && errno == ENOENT ? 0 : complain(path);
    if (!S_ISDIR(st.st_mode))
        return unlink(path) < 0 ? complain(path) : 0;
    if (!recursive) {
        fprintf(stderr, "rm: %s: is a directory (rm -r removes it)\n", path);
        return 1;
    }
    DIR *d = opendir(path);
    if (!d)
        return complain(path);
    int r = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        r |= rm_path(sub, recursive, force);
    }
    closedir(d);
    return r | (rmdir(path) < 0 ? complain(path) : 0);
}

static int u_rm(int argc, char **argv)
{
    int opt, recursive = 0, force = 0, st = 0;
    while ((opt = getopt(argc, argv, "rRf")) != -1) {
        if (opt == '?')
            return 1;
        recursive |= opt == 'r' || opt == 'R';
        force |= opt == 'f';
    }
    for (int i = optind; i < argc; i++)
        st |= rm_path(argv[i], recursive, force);
    return st;
}

/* The destination of mv/cp/ln SRC DST: DST, or DST/basename(SRC) if DST is a directory. */
static const char *target(const char *src, const char *dst, char *buf, size_t n)
{
    struct stat st;
    if (stat(dst, &st) == 0 && S_ISDIR(st.st_mode)) {
        const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
        snprintf(buf, n, "%s%s%s", dst, dst[strlen(dst) - 1] == '/' ? "" : "/", base);
        return buf;
    }
    return dst;
}

static int copy_file(const char *src, const char *dst)
{
    struct stat st;
    int in = open(src, O_RDONLY);
    if (in < 0 || fstat(in, &st) < 0)
        return complain(src);
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 0777);
    if (out < 0) {
        close(in);
        return complain(dst);
    }
    char buf[8192];
    ssize_t n;
    int r = 0;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write_all(out, buf, n) < 0) {
            r = complain(dst);
            break;
        }
    if (n < 0)
        r = complain(src);
    close(in);
    close(out);
    return r;
}

/* mv, cp and ln: SRC... DST, each SRC renamed, copied or linked to DST. */
static int u_mv(int argc, char **argv)
{
    int sym = strcmp(prog, "ln") == 0 && argc > 1 && strcmp(argv[1], "-s") == 0;
    int first = 1 + sym, st = 0;
    if (argc - first < 2) {
        fprintf(stderr, "usage: %s%s SOURCE... DEST\n", prog, strcmp(prog, "ln") ? "" : " [-s]");
        return 1;
    }
    for (int i = first; i < argc - 1; i++) {
        char buf[1024];
        const char *dst = target(argv[i], argv[argc - 1], buf, sizeof buf);
        int r;
        if (strcmp(prog, "mv") == 0)
            r = rename(argv[i], dst) < 0 ? complain(argv[i]) : 0;
        else if (strcmp(prog, "cp") == 0)
            r = copy_file(argv[i], dst);
        else
            r = (sym ? symlink(argv[i], dst) : link(argv[i], dst)) < 0 ? complain(dst) : 0;
        st |= r;
    }
    return st;
}

static int u_touch(int argc, char **argv)
{
    int st = 0;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_WRONLY | O_CREAT, 0666);
        if (fd < 0) {
            st = complain(argv[i]);
            continue;
        }
        futimens(fd, NULL);     /* now, for a file that was there */
        close(fd);
    }
    return st;
}

/* ---- cmp, test ---- */

static int u_cmp(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: cmp FILE1 FILE2\n");
        return 2;
    }
    int a = open_in(argv[1]), b = open_in(argv[2]);
    if (a < 0 || b < 0)
        return 2;
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    if (!x || !y)
        return complain(x ? argv[2] : argv[1]) + 1;
    long line = 1;
    for (size_t i = 0; i < la && i < lb; i++) {
        if (x[i] != y[i]) {
            printf("%s %s differ: byte %zu, line %ld\n", argv[1], argv[2], i + 1, line);
            return 1;
        }
        line += x[i] == '\n';
    }
    if (la != lb) {
        fprintf(stderr, "cmp: EOF on %s after byte %zu\n", la < lb ? argv[1] : argv[2], la < lb ? la : lb);
        return 1;
    }
    return 0;
}

/* One test expression of argv[0..n): 1 true, 0 false, -1 malformed. */
static int test_expr(int n, char **a)
{
    struct stat st;
    if (n == 0)
        return 0;
    if (strcmp(a[0], "!") == 0) {
        int r = test_expr(n - 1, a + 1);
        return r < 0 ? r : !r;
    }
    if (n == 1)
        return a[0][0] != '\0';
    if (n == 2 && a[0][0] == '-' && a[0][2] == '\0') {
        switch (a[0][1]) {
        case 'z': return a[1][0] == '\0';
        case 'n': return a[1][0] != '\0';
        case 'e': return stat(a[1], &st) == 0;
        case 'f': return stat(a[1], &st) == 0 && S_ISREG(st.st_mode);
        case 'd': return stat(a[1], &st) == 0 && S_ISDIR(st.st_mode);
        case 'L': case 'h': return lstat(a[1], &st) == 0 && S_ISLNK(st.st_mode);
        case 's': return stat(a[1], &st) == 0 && st.st_size > 0;
        case 'r': return access(a[1], R_OK) == 0;
        case 'w': return access(a[1], W_OK) == 0;
        case 'x': return access(a[1], X_OK) == 0;
        }
        return -1;
    }
    if (n == 3) {
        const char *op = a[1];
        long x = atol(a[0]), y = atol(a[2]);
        if (strcmp(op, "=") == 0) return strcmp(a[0], a[2]) == 0;
        if (strcmp(op, "!=") == 0) return strcmp(a[0], a[2]) != 0;
        if (strcmp(op, "-eq") == 0) return x == y;
        if (strcmp(op, "-ne") == 0) return x != y;
        if (strcmp(op, "-lt") == 0) return x < y;
        if (strcmp(op, "-le") == 0) return x <= y;
        if (strcmp(op, "-gt") == 0) return x > y;
        if (strcmp(op, "-ge") == 0) return x >= y;
    }
    return -1;
}

static int u_test(int argc, char **argv)
{
    if (strcmp(prog, "[") == 0) {
        if (strcmp(argv[argc - 1], "]") != 0) {
            fprintf(stderr, "[: a ] is missing at the end\n");
            return 2;
        }
        argc--;
    }
    int r = test_expr(argc - 1, argv + 1);
    if (r < 0) {
        fprintf(stderr, "%s: an expression it does not know (see utils.c, test_expr)\n", prog);
        return 2;
    }
    return !r;
}

/* ---- The table ---- */

static int u_help(int argc, char **argv);

static const struct util {
    const char *name;
    int (*fn)(int argc, char **argv);
} utils[] = {
    {"[", u_test}, {"cat", u_cat}, {"cmp", u_cmp}, {"cp", u_mv}, {"date", u_date},
    {"echo", u_echo}, {"env", u_env}, {"false", u_false}, {"grep", u_grep}, {"head", u_head},
    {"kill", u_kill}, {"ln", u_mv}, {"ls", u_ls}, {"mkdir", u_mkdir}, {"mv", u_mv},
    {"pwd", u_pwd}, {"rm", u_rm}, {"rmdir", u_rmdir}, {"seq", u_seq}, {"sleep", u_sleep},
    {"sort", u_sort}, {"tail", u_head}, {"tee", u_tee}, {"test", u_test}, {"touch", u_touch},
    {"true", u_true}, {"uname", u_uname}, {"wc", u_wc}, {"yes", u_yes}, {"utils", u_help},
};
#define NUTILS (int)(sizeof utils / sizeof utils[0])

static int u_help(int argc, char **argv)
{
    if (argc > 1) {             /* utils NAME ARGS: be NAME */
        for (int i = 0; i < NUTILS; i++) {
            if (strcmp(utils[i].name, argv[1]) == 0 && utils[i].fn != u_help) {
                prog = utils[i].name;
                return utils[i].fn(argc - 1, argv + 1);
            }
        }
        fprintf(stderr, "utils: no utility named %s\n", argv[1]);
        return 127;
    }
    printf("utils: a multi-call program; run it as one of (or as utils NAME ARGS):\n");
    for (int i = 0; i < NUTILS - 1; i++)
        printf(" %s", utils[i].name);
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    for (int i = 0; i < NUTILS; i++) {
        if (strcmp(utils[i].name, prog) == 0) {
            int st = utils[i].fn(argc, argv);
            if (fflush(stdout) != 0 && st == 0)
                st = 1;
            return st;
        }
    }
    return u_help(1, argv);
}
