/*
 * sh: the small shell of the Linux server (Lab 5), also /bin/init.  An
 * ordinary Linux program (gcc -m32 -static): everything it does is fork,
 * execve, wait4, pipe, dup2, open, rt_sigaction, so it shows which calls a
 * Unix shell needs from the server.
 *
 *   sh                  read commands from stdin (a prompt when it is a terminal)
 *   sh FILE [ARGS]      run the commands of FILE ($0 = FILE, $1... = ARGS)
 *   sh -c CMD [NAME [ARGS]]   run CMD
 *
 * A line is a list of pipelines joined by ; & && ||, a pipeline is commands
 * joined by |, a command is words and redirections (< > >> N> N>> N>&M).
 * Words may be quoted ('...' literally, "..." with $ expansion) or escaped
 * with \; $NAME ${NAME} $? $$ $! $# $0..$9 are expanded.  There are no
 * control structures (if, while, for), no globbing and no field splitting
 * of expansions: the shell is for running programs, and small enough to
 * read in one sitting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LINE  4096
#define MAX_TOKS  256
#define MAX_ARGS  64
#define MAX_REDIR 8
#define MAX_CMDS  16
#define MAX_JOBS  16

static int status;              /* $?: the last pipeline's exit status */
static pid_t last_bg;           /* $!: the last background command */
static int interactive;         /* reading a terminal: prompt, ignore ^C */
static int npos;                /* $1..: the script's arguments */
static char **pos;              /* pos[0] is $0 */

/* ---- Words: a line becomes tokens ---- */

enum kind { WORD, SEMI, AMP, AND, OR, PIPE, REDIR, END };
enum rkind { R_IN, R_OUT, R_APPEND, R_DUP };

struct tok {
    enum kind kind;
    char *word;                 /* WORD; REDIR: the file name (not for R_DUP); raw text */
    enum rkind rk;              /* REDIR: which */
    int fd, fd2;                /* REDIR: the descriptor redirected; R_DUP: its new source */
};

/* The characters of every word of one line, each NUL-terminated. */
static char store[2 * MAX_LINE];
static int store_len;

/* Appends s to the word being built; 0, or -1 if the line is too long. */
static int put(const char *s, int n)
{
    if (store_len + n >= (int)sizeof store)
        return -1;
    memcpy(store + store_len, s, n);
    store_len += n;
    return 0;
}

static int is_name_char(int c, int first)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

/* Expands the $ at *p (p[0] == '$') into the word; moves *p past it. */
static int expand(const char **p)
{
    const char *s = *p + 1;
    char num[16], name[128];
    const char *val;
    int n = 0;
    if (*s == '?' || *s == '$' || *s == '!' || *s == '#') {
        int v = *s == '?' ? status : *s == '$' ? getpid() : *s == '!' ? last_bg : npos;
        snprintf(num, sizeof num, "%d", v);
        *p = s + 1;
        return put(num, strlen(num));
    }
    if (*s >= '0' && *s <= '9') {
        int i = *s - '0';
        *p = s + 1;
        val = i <= npos && pos ? pos[i] : "";
        return put(val, strlen(val));
    }
    int braced = *s == '{';
    s += braced;
    while (is_name_char(s[n], n == 0) && n < (int)sizeof name - 1) {
        name[n] = s[n];
        n++;
    }
    name[n] = '\0';
    if (n == 0 || (braced && s[n] != '}')) {
        *p += 1;                /* a lone '$' stands for itself */
        return put("$", 1);
    }
    *p = s + n + braced;
    val = getenv(name);
    return val ? put(val, strlen(val)) : 0;
}

/* The word raw (as scan_word found it) with its quotes and escapes
   resolved and $ expanded, in store; NULL if it expanded to nothing and
   had no quotes (so `$UNSET` gives no argument, but "" gives an empty one).
   Words are expanded just before their command runs, so that `A=1; echo
   $A` and `false; echo $?` see what the commands before them did. */
static char *expand_word(const char *raw, int *err)
{
    const char *s = raw;
    char *start = store + store_len;
    int quoted = 0;
    while (*s && !strchr(" \t\n;&|<>", *s)) {
        if (*s == '\\' && s[1]) {
            *err |= put(s + 1, 1);
            s += 2;
        } else if (*s == '\'') {
            const char *e = strchr(s + 1, '\'');   /* scan_word made sure it is there */
            *err |= put(s + 1, e - s - 1);
            s = e + 1;
            quoted = 1;
        } else if (*s == '"') {
            for (s++; *s && *s != '"';) {
                if (*s == '\\' && s[1] && strchr("\\\"$", s[1])) {
                    *err |= put(s + 1, 1);
                    s += 2;
                } else if (*s == '$') {
                    *err |= expand(&s);
                } else {
                    *err |= put(s++, 1);
                }
            }
            s += *s == '"';
            quoted = 1;
        } else if (*s == '$') {
            *err |= expand(&s);
        } else {
            *err |= put(s++, 1);
        }
    }
    if (*err)
        return NULL;
    if (store + store_len == start && !quoted)
        return NULL;
    *err |= put("", 1);
    return start;
}

/* The raw characters of my lines' words, quotes and all. */
static char raw_store[2 * MAX_LINE];
static int raw_len;

/* The word at *p, up to the next blank or operator outside quotes: a copy
   of its raw text, or NULL (with a message) if a quote is not closed. */
static char *scan_word(const char **p)
{
    const char *s = *p;
    while (*s && !strchr(" \t\n;&|<>", *s)) {
        if (*s == '\\' && s[1]) {
            s += 2;
        } else if (*s == '\'' || *s == '"') {
            char q = *s++;
            while (*s && *s != q)
                s += (q == '"' && *s == '\\' && s[1]) ? 2 : 1;
            if (!*s) {
                fprintf(stderr, "sh: a %c without its closing %c\n", q, q);
                return NULL;
            }
            s++;
        } else {
            s++;
        }
    }
    int n = s - *p;
    if (raw_len + n + 1 > (int)sizeof raw_store) {
        fprintf(stderr, "sh: the line is too long\n");
        return NULL;
    }
    char *w = raw_store + raw_len;
    memcpy(w, *p, n);
    w[n] = '\0';
    raw_len += n + 1;
    *p = s;
    return w;
}

/* A redirection operator at *p: < > >> >&M, after the digits of its fd
   (N> etc.) if any.  1 if there was one (moved past), else 0. */
static int lex_redir(const char **p, struct tok *t)
{
    const char *s = *p;
    int fd = -1;
    if (*s >= '0' && *s <= '9') {
        fd = 0;
        while (*s >= '0' && *s <= '9')
            fd = fd * 10 + *s++ - '0';
        if (*s != '<' && *s != '>')
            return 0;           /* digits that are just a word */
    }
    if (*s == '<') {
        t->rk = R_IN;
        t->fd = fd < 0 ? 0 : fd;
        s++;
    } else if (*s == '>') {
        t->fd = fd < 0 ? 1 : fd;
        s++;
        t->rk = R_OUT;
        if (*s == '>') {
            t->rk = R_APPEND;
            s++;
        } else if (*s == '&' && s[1] >= '0' && s[1] <= '9') {
            t->rk = R_DUP;
            t->fd2 = (int)strtol(s + 1, (char **)&s, 10);
        }
    } else {
        return 0;
    }
    t->kind = REDIR;
    *p = s;
    return 1;
}

/* Splits line into toks (ending with END): their number, or -1 on error. */
static int lex(const char *line, struct tok *toks)
{
    int n = 0;
    raw_len = 0;
    const char *s = line;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        if (*s == '#')          /* a comment runs to the end of the line */
            break;
        if (!*s)
            break;
        if (n >= MAX_TOKS - 1) {
            fprintf(stderr, "sh: too many words on one line\n");
            return -1;
        }
        struct tok *t = &toks[n];
        memset(t, 0, sizeof *t);
        if (lex_redir(&s, t)) {
            if (t->rk != R_DUP) {
                while (*s == ' ' || *s == '\t')
                    s++;
                if (!*s || strchr(";&|<>", *s)) {
                    fprintf(stderr, "sh: a redirection without a file name\n");
                    return -1;
                }
                if (!(t->word = scan_word(&s)))
                    return -1;
            }
        } else if (*s == ';' || *s == '&' || *s == '|') {
            int two = s[1] == s[0] && *s != ';';
            t->kind = *s == ';' ? SEMI : *s == '&' ? (two ? AND : AMP) : (two ? OR : PIPE);
            s += 1 + two;
        } else {
            t->kind = WORD;
            if (!(t->word = scan_word(&s)))
                return -1;
        }
        n++;
    }
    toks[n].kind = END;
    return n;
}

/* ---- Commands ---- */

struct cmd {
    char *argv[MAX_ARGS + 1];
    int argc;
    struct tok *redir[MAX_REDIR];
    char *file[MAX_REDIR];      /* each one's file name, expanded */
    int nredir;
};

/* Opens the files of c's redirections onto their descriptors.  0, or -1
   with a message (the command is not run then). */
static int redirect(struct cmd *c)
{
    for (int i = 0; i < c->nredir; i++) {
        struct tok *r = c->redir[i];
        int fd;
        if (r->rk == R_DUP) {
            if (dup2(r->fd2, r->fd) < 0) {
                fprintf(stderr, "sh: %d>&%d: %s\n", r->fd, r->fd2, strerror(errno));
                return -1;
            }
            continue;
        }
        int flags = r->rk == R_IN ? O_RDONLY : O_WRONLY | O_CREAT | (r->rk == R_APPEND ? O_APPEND : O_TRUNC);
        const char *file = c->file[i] ? c->file[i] : "";
        fd = open(file, flags, 0666);
        if (fd < 0) {
            fprintf(stderr, "sh: %s: %s\n", file, strerror(errno));
            return -1;
        }
        if (fd != r->fd) {
            dup2(fd, r->fd);
            close(fd);
        }
    }
    return 0;
}

/* Replaces the process with c's program, found through $PATH; never
   returns.  A file execve will not run (ENOEXEC) is a script for sh. */
static void run_program(struct cmd *c)
{
    const char *name = c->argv[0];
    char path[512];
    int err = ENOENT;
    const char *dirs = getenv("PATH");
    if (!dirs)
        dirs = "/bin";
    for (;;) {
        const char *colon = strchr(dirs, ':');
        int dlen = colon ? colon - dirs : (int)strlen(dirs);
        if (strchr(name, '/'))
            snprintf(path, sizeof path, "%s", name);
        else
            snprintf(path, sizeof path, "%.*s/%s", dlen, dlen ? dirs : ".", name);
        execve(path, c->argv, environ);
        if (errno == ENOEXEC) {
            char *args[MAX_ARGS + 2] = {"sh", path};
            memcpy(args + 2, c->argv + 1, c->argc * sizeof(char *));
            execve("/bin/sh", args, environ);
        }
        if (errno != ENOENT && errno != ENOTDIR)
            err = errno;        /* found, but not runnable: say why */
        if (strchr(name, '/') || !colon)
            break;
        dirs = colon + 1;
    }
    if (err == ENOENT) {
        fprintf(stderr, "sh: %s: not found\n", name);
        _exit(127);
    }
    fprintf(stderr, "sh: %s: %s\n", name, strerror(err));
    _exit(126);
}

/* ---- Builtins: what must happen in the shell itself ---- */

static int builtin_cd(struct cmd *c)
{
    const char *dir = c->argc > 1 ? c->argv[1] : getenv("HOME");
    if (!dir)
        dir = "/";
    if (chdir(dir) < 0) {
        fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char cwd[512];
    if (getcwd(cwd, sizeof cwd))
        setenv("PWD", cwd, 1);
    return 0;
}

static int builtin_pwd(struct cmd *c)
{
    char cwd[512];
    if (!getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "sh: pwd: %s\n", strerror(errno));
        return 1;
    }
    printf("%s\n", cwd);
    return 0;
}

static int builtin_exit(struct cmd *c)
{
    fflush(stdout);
    exit(c->argc > 1 ? atoi(c->argv[1]) & 0xFF : status);
}

/* NAME=value: the shell keeps all its variables in its environment, so
   every variable is exported (a simplification: sh has no other kind). */
static int assign(const char *word)
{
    const char *eq = strchr(word, '=');
    char name[128];
    int n = eq ? eq - word : 0;
    if (n == 0 || n >= (int)sizeof name)
        return -1;
    for (int i = 0; i < n; i++)
        if (!is_name_char(word[i], i == 0))
            return -1;
    memcpy(name, word, n);
    name[n] = '\0';
    return setenv(name, eq + 1, 1);
}

static int builtin_export(struct cmd *c)
{
    if (c->argc == 1)
        for (char **e = environ; *e; e++)
            printf("export %s\n", *e);
    for (int i = 1; i < c->argc; i++) {
        if (strchr(c->argv[i], '=') && assign(c->argv[i]) < 0) {
            fprintf(stderr, "sh: export: %s: not a valid name\n", c->argv[i]);
            return 1;
        }
    }
    return 0;
}

static int builtin_unset(struct cmd *c)
{
    for (int i = 1; i < c->argc; i++)
        unsetenv(c->argv[i]);
    return 0;
}

static int builtin_echo(struct cmd *c)
{
    int i = 1, newline = 1;
    if (c->argc > 1 && strcmp(c->argv[1], "-n") == 0) {
        newline = 0;
        i++;
    }
    for (; i < c->argc; i++)
        printf("%s%s", c->argv[i], i + 1 < c->argc ? " " : "");
    if (newline)
        printf("\n");
    return 0;
}

static int builtin_true(struct cmd *c) { return 0; }
static int builtin_false(struct cmd *c) { return 1; }
static int builtin_help(struct cmd *c);
static int builtin_wait(struct cmd *c);

static const struct builtin {
    const char *name;
    int (*fn)(struct cmd *c);
    const char *help;
} builtins[] = {
    {"cd", builtin_cd, "cd [DIR]: change the working directory (default $HOME)"},
    {"pwd", builtin_pwd, "pwd: print the working directory"},
    {"exit", builtin_exit, "exit [N]: leave the shell with status N (default $?)"},
    {"export", builtin_export, "export [NAME=VALUE...]: set variables (all are exported)"},
    {"unset", builtin_unset, "unset NAME...: remove variables"},
    {"echo", builtin_echo, "echo [-n] WORDS: print the words"},
    {"true", builtin_true, "true, false: exit status 0, 1"},
    {"false", builtin_false, NULL},
    {"wait", builtin_wait, "wait: wait for every background command"},
    {"help", builtin_help, "help: this list"},
};
#define NBUILTINS (int)(sizeof builtins / sizeof builtins[0])

static int builtin_help(struct cmd *c)
{
    printf("A small shell: CMD ARGS, a | b, a; b, a && b, a || b, a &, < > >> 2> 2>&1,\n"
           "'quotes' \"$VAR\" $? $$.  Built in:\n");
    for (int i = 0; i < NBUILTINS; i++)
        if (builtins[i].help)
            printf("  %s\n", builtins[i].help);
    printf("Programs are in /bin (ls /bin); sh /etc/demo.sh shows what the server can do.\n");
    return 0;
}

static const struct builtin *find_builtin(const char *name)
{
    for (int i = 0; i < NBUILTINS; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return &builtins[i];
    return NULL;
}

/* ---- Running pipelines ---- */

static struct job {
    pid_t pid;
    char name[32];
} jobs[MAX_JOBS];

/* What the status word of name's death says, as $? has it: 128 + N for
   a death by signal N, which is also reported (except SIGPIPE, which is
   how the commands before the end of a pipeline normally end). */
static int report(const char *name, int st, int quiet_pipe)
{
    if (WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        if (!(quiet_pipe && sig == SIGPIPE))
            fprintf(stderr, "%s: killed by signal %d\n", name, sig);
        return 128 + sig;
    }
    return WEXITSTATUS(st);
}

/* Background commands that ended: reaped and reported. */
static void reap_jobs(void)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        for (int i = 0; i < MAX_JOBS; i++) {
            if (jobs[i].pid == pid) {
                int s = report(jobs[i].name, st, 0);
                fprintf(stderr, "[%d] done (%d) %s\n", pid, s, jobs[i].name);
                jobs[i].pid = 0;
            }
        }
    }
}

static int builtin_wait(struct cmd *c)
{
    for (int i = 0; i < MAX_JOBS; i++) {
        int st;
        if (jobs[i].pid && waitpid(jobs[i].pid, &st, 0) == jobs[i].pid) {
            report(jobs[i].name, st, 0);
            jobs[i].pid = 0;
        }
    }
    return 0;
}

/* Runs a builtin in the shell itself, with its redirections undone after. */
static int run_builtin_here(const struct builtin *b, struct cmd *c)
{
    int saved[MAX_REDIR];
    for (int i = 0; i < c->nredir; i++)
        saved[i] = fcntl(c->redir[i]->fd, F_DUPFD_CLOEXEC, 10);
    fflush(stdout);
    int s = redirect(c) < 0 ? 1 : b->fn(c);
    fflush(stdout);
    for (int i = c->nredir - 1; i >= 0; i--) {
        if (saved[i] >= 0) {
            dup2(saved[i], c->redir[i]->fd);
            close(saved[i]);
        } else {
            close(c->redir[i]->fd);
        }
    }
    return s;
}

/* The child's side of a pipeline member: its stdin and stdout, then its
   redirections, then the program (or a builtin, then exit). */
static void child(struct cmd *c, int in, int out)
{
    /* The shell ignores ^C; its programs must not (an ignored signal
       stays ignored across execve). */
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    if (in != 0) {
        dup2(in, 0);
        close(in);
    }
    if (out != 1) {
        dup2(out, 1);
        close(out);
    }
    if (redirect(c) < 0)
        _exit(1);
    if (c->argc == 0)
        _exit(0);
    const struct builtin *b = find_builtin(c->argv[0]);
    if (b) {
        int s = b->fn(c);
        fflush(stdout);
        _exit(s);
    }
    run_program(c);
}

/* Runs the pipeline cmds[0] | ... | cmds[n-1]: its exit status (the last
   command's), or 0 at once for a background one. */
static int run_pipeline(struct cmd *cmds, int n, int background)
{
    /* Leading NAME=value words: alone, they set shell variables; before a
       command, they set them for that command only (in its child). */
    int first = 0;
    while (first < cmds[0].argc && strchr(cmds[0].argv[first], '=') &&
           is_name_char(cmds[0].argv[first][0], 1))
        first++;
    if (n == 1 && first == cmds[0].argc && first > 0) {
        for (int i = 0; i < first; i++)
            if (assign(cmds[0].argv[i]) < 0)
                fprintf(stderr, "sh: %s: not a valid assignment\n", cmds[0].argv[i]);
        return 0;
    }
    const struct builtin *b = cmds[0].argc ? find_builtin(cmds[0].argv[0]) : NULL;
    if (n == 1 && b && !background && first == 0)
        return run_builtin_here(b, &cmds[0]);

    pid_t pids[MAX_CMDS];
    int in = 0, broken = 0;     /* broken: a command could not be started */
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        int fd[2] = {-1, 1};
        const char *failed = NULL;
        if (i < n - 1 && pipe(fd) < 0)
            failed = "pipe";
        else if ((pids[i] = fork()) < 0)
            failed = "fork";
        if (failed)
            fprintf(stderr, "sh: %s: %s\n", failed, strerror(errno));
        if (!failed && pids[i] == 0) {
            if (fd[0] >= 0)
                close(fd[0]);   /* the next command's end */
            if (i == 0)
                for (int a = 0; a < first; a++)
                    assign(cmds[0].argv[a]);
            if (i == 0 && first) {
                memmove(cmds[0].argv, cmds[0].argv + first, (cmds[0].argc - first + 1) * sizeof(char *));
                cmds[0].argc -= first;
            }
            child(&cmds[i], in, fd[1]);
        }
        if (in != 0)
            close(in);
        if (fd[1] != 1)
            close(fd[1]);
        in = fd[0];
        if (failed) {
            if (in >= 0)
                close(in);
            n = i;              /* wait for those started */
            broken = 1;
            break;
        }
    }
    if (n == 0)
        return 1;
    if (background) {
        last_bg = pids[n - 1];
        for (int j = 0; j < MAX_JOBS; j++) {
            if (!jobs[j].pid) {
                jobs[j].pid = last_bg;
                snprintf(jobs[j].name, sizeof jobs[j].name, "%s", cmds[n - 1].argv[0]);
                break;
            }
        }
        if (interactive)
            fprintf(stderr, "[%d]\n", last_bg);
        return 0;
    }
    int s = 1;
    for (int i = 0; i < n; i++) {
        int st;
        while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
            ;
        int r = report(cmds[i].argc ? cmds[i].argv[0] : "sh", st, i < n - 1);
        if (i == n - 1)
            s = r;
    }
    return broken ? 1 : s;
}

/* Parses the pipeline starting at toks[*i] into cmds; moves *i to the
   token after it (; & && || END).  The number of commands, or -1. */
static int parse_pipeline(struct tok *toks, int *i, struct cmd *cmds)
{
    int n = 0, err = 0;
    struct cmd *c = &cmds[0];
    memset(c, 0, sizeof *c);
    store_len = 0;
    for (;; (*i)++) {
        struct tok *t = &toks[*i];
        if (t->kind == WORD) {
            char *w = expand_word(t->word, &err);
            if (!w)
                continue;       /* an expansion to nothing: no word */
            if (c->argc >= MAX_ARGS) {
                fprintf(stderr, "sh: too many arguments\n");
                return -1;
            }
            c->argv[c->argc++] = w;
        } else if (t->kind == REDIR) {
            if (c->nredir >= MAX_REDIR) {
                fprintf(stderr, "sh: too many redirections\n");
                return -1;
            }
            c->redir[c->nredir] = t;
            c->file[c->nredir++] = t->rk == R_DUP ? NULL : expand_word(t->word, &err);
        } else if (t->kind == PIPE) {
            if (c->argc == 0 || n + 1 >= MAX_CMDS) {
                fprintf(stderr, "sh: a | needs a command on each side\n");
                return -1;
            }
            c = &cmds[++n];
            memset(c, 0, sizeof *c);
        } else {
            break;
        }
    }
    if (err) {
        fprintf(stderr, "sh: the command is too long\n");
        return -1;
    }
    if (c->argc == 0 && (n > 0 || c->nredir == 0)) {
        if (n > 0 || toks[*i].kind != END) {
            fprintf(stderr, "sh: a command is missing before '%s'\n",
                    toks[*i].kind == END ? "the end" : toks[*i].kind == SEMI ? ";" : "&, && or ||");
            return -1;
        }
        return 0;
    }
    return n + 1;
}

/* Runs one line: pipelines joined by ; & && ||. */
static void run_line(const char *line)
{
    static struct tok toks[MAX_TOKS];
    static struct cmd cmds[MAX_CMDS];
    if (lex(line, toks) < 0) {
        status = 2;
        return;
    }
    int i = 0, skip = 0;
    while (toks[i].kind != END) {
        int n = parse_pipeline(toks, &i, cmds);
        if (n < 0) {
            status = 2;
            return;
        }
        enum kind sep = toks[i].kind;
        if (n > 0 && !skip)
            status = run_pipeline(cmds, n, sep == AMP);
        /* a && b runs b only if a succeeded, a || b only if it failed; a
           pipeline skipped keeps $? as it was, so a || b && c works. */
        skip = (sep == AND && status != 0) || (sep == OR && status == 0);
        if (sep != END)
            i++;
    }
}

/* ---- Input ---- */

/* Reads one line (without its newline) from fd into line: its length, or
   -1 at end of input.  Reads ahead into a buffer: a command run from a
   script fed on stdin would not see the lines read ahead (sh FILE is the
   way to run a script whose commands read stdin). */
static int read_line(int fd, char *line, int max)
{
    static char buf[MAX_LINE];
    static int len, off;
    int n = 0;
    for (;;) {
        if (off == len) {
            len = read(fd, buf, sizeof buf);
            off = 0;
            if (len <= 0) {
                len = 0;
                if (n == 0)
                    return -1;
                break;          /* a last line without a newline */
            }
        }
        char ch = buf[off++];
        if (ch == '\n')
            break;
        if (n < max - 1)
            line[n++] = ch;
    }
    line[n] = '\0';
    return n;
}

/* Runs the commands read from fd until its end or `exit`. */
static void run_input(int fd)
{
    char line[MAX_LINE];
    for (;;) {
        if (interactive) {
            reap_jobs();
            const char *ps1 = getenv("PS1");
            fputs(ps1 ? ps1 : "$ ", stderr);
        }
        int n = read_line(fd, line, sizeof line);
        if (n < 0)
            break;
        /* A line ending in \ goes on on the next one. */
        while (n > 0 && line[n - 1] == '\\' && n < (int)sizeof line - 1) {
            int m = read_line(fd, line + n - 1, sizeof line - n + 1);
            if (m < 0)
                break;
            n += m - 1;
        }
        run_line(line);
        fflush(stdout);
    }
    if (interactive)
        fputs("\n", stderr);
}

/* Runs the commands of the file path, if it can be opened; 0, or -1. */
static int run_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int was = interactive;
    interactive = 0;            /* no prompts for a file's lines */
    run_input(fd);
    interactive = was;
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2 && strcmp(argv[1], "-c") == 0) {
        pos = argv + 3;         /* sh -c CMD NAME ARGS: $0 = NAME */
        npos = argc > 3 ? argc - 4 : 0;
        if (argc == 3)
            pos = argv;
        run_line(argv[2]);
        return status;
    }
    if (argc > 1) {
        pos = argv + 1;
        npos = argc - 2;
        if (run_file(argv[1]) < 0) {
            fprintf(stderr, "sh: %s: %s\n", argv[1], strerror(errno));
            return 127;
        }
        return status;
    }
    pos = argv;
    interactive = isatty(0);
    if (interactive)
        signal(SIGINT, SIG_IGN);    /* ^C is for the programs it runs */
    /* As init or a login shell (-sh), first the commands of /etc/profile. */
    if (strcmp(base, "init") == 0 || base[0] == '-')
        run_file("/etc/profile");
    run_input(0);
    return status;
}
