/*
 * plot — figures drawn by gnuplot, run as a separate process (include/plot.h).
 *
 * Process: gnuplot is started with posix_spawnp — no shell, so nothing in a
 * path or a title is ever interpreted by one.  The script goes to its stdin
 * over a socket pair (send() with MSG_NOSIGNAL, so a gnuplot that dies early
 * gives EPIPE rather than a SIGPIPE that would kill drsim); its stderr is
 * read at the same time through poll(), so neither side can block the other,
 * and the last line of it becomes the error message when gnuplot fails.
 * $DRSIM_GNUPLOT names a program, not a command line (no arguments).
 *
 * Script: every text that comes from outside (titles, labels, the output
 * path) is written as a gnuplot single-quoted string, in which gnuplot does
 * no backslash escapes and no `backquote` command substitution.  Three
 * characters still need care, and are spliced in by string concatenation
 * with an octal escape in a double-quoted string: ' as '."\047".' (the
 * doubled form '' misparses at the start of a string), @ as '."\100".'
 * (gnuplot's @macro expansion runs before parsing and tracks quotes
 * naively: a " inside a single-quoted string fools it, so no @ may appear
 * in the line at all) and ` as '."\140".' (belt and braces).  A newline is
 * '."\n".'; other control characters become spaces.  Enhanced text
 * mode is switched off so ^, _, @, { } show as themselves.  Data goes in
 * datablocks holding numbers only, so no text can end a block early.
 * `reset` first undoes whatever a ~/.gnuplot startup file set.
 *
 * Output: gnuplot writes the figure into the outfile temporary (its `set
 * output`), which is renamed over PATH only when gnuplot exits 0 and the
 * file is non-empty; otherwise it is removed and PATH is left as it was.
 * PNG uses pngcairo when this gnuplot has it (checked by the script itself
 * through GPVAL_TERMINALS) and libgd's png terminal when not.
 */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "outfile.h"

extern char **environ;

#define GNUPLOT_NOT_FOUND "gnuplot not found (install gnuplot-nox, or set DRSIM_GNUPLOT)"

enum {
    HISTOGRAM_MAX_BINS = 60,
    TIMELINE_MAX_LABELLED = 20, /* up to this many intervals: one row each, labelled */
    TIMELINE_MAX_ROWS = 20,     /* more intervals: one row per label, up to this many */
    STDERR_KEEP = 4096,
};

/* A growing script text; `failed` is sticky on out-of-memory. */
typedef struct script {
    char *text;
    size_t len, cap;
    bool failed;
} script;

static void script_append(script *s, const char *data, size_t len)
{
    if (s->failed)
        return;
    if (s->len + len + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (s->len + len + 1 > cap)
            cap *= 2;
        char *grown = realloc(s->text, cap);
        if (grown == NULL) {
            s->failed = true;
            return;
        }
        s->text = grown;
        s->cap = cap;
    }
    memcpy(s->text + s->len, data, len);
    s->len += len;
    s->text[s->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void script_printf(script *s, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        s->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        script_append(s, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (big == NULL) {
        s->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    script_append(s, big, (size_t)n);
    free(big);
}

/* Appends `text` as a gnuplot string expression that shows it literally. */
static void script_quoted(script *s, const char *text)
{
    script_append(s, "'", 1);
    for (const char *p = text ? text : ""; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\'')
            script_append(s, "'.\"\\047\".'", 10);
        else if (c == '@')
            script_append(s, "'.\"\\100\".'", 10);
        else if (c == '`')
            script_append(s, "'.\"\\140\".'", 10);
        else if (c == '\n')
            script_append(s, "'.\"\\n\".'", 8);
        else if (c == '\r' && p[1] == '\n')
            continue;
        else if (c < 0x20 || c == 0x7f)
            script_append(s, " ", 1);
        else
            script_append(s, p, 1);
    }
    script_append(s, "'", 1);
}

/* The gnuplot program ------------------------------------------------------ */

const char *plot_gnuplot_command(void)
{
    const char *command = getenv("DRSIM_GNUPLOT");
    return command != NULL && command[0] != '\0' ? command : "gnuplot";
}

typedef struct run_result {
    int spawn_error;  /* errno from posix_spawnp, 0 when it started */
    int exit_status;  /* exit code, or 128 + signal */
    char stderr_text[STDERR_KEEP];
} run_result;

static int set_flags(int fd, int fd_flags, int status_flags)
{
    if (fd_flags && fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | fd_flags) == -1)
        return -1;
    if (status_flags && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | status_flags) == -1)
        return -1;
    return 0;
}

static void close_if_open(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Runs `program arg` with `input` on stdin (stdin is /dev/null when input is
 * NULL), stdout discarded, stderr collected.  0 when the program ran (see
 * result->exit_status), -1 when it could not be started (result->spawn_error). */
static int run_program(const char *program, const char *arg, const char *input,
                       size_t input_len, run_result *result)
{
    result->spawn_error = 0;
    result->exit_status = -1;
    result->stderr_text[0] = '\0';

    int in[2] = {-1, -1}, errp[2] = {-1, -1};
    if (input != NULL && socketpair(AF_UNIX, SOCK_STREAM, 0, in) != 0)
        goto fail_errno;
    if (pipe(errp) != 0)
        goto fail_errno;
    if ((in[0] >= 0 && (set_flags(in[0], FD_CLOEXEC, O_NONBLOCK) != 0 ||
                        set_flags(in[1], FD_CLOEXEC, 0) != 0)) ||
        set_flags(errp[0], FD_CLOEXEC, 0) != 0 || set_flags(errp[1], FD_CLOEXEC, 0) != 0)
        goto fail_errno;

    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0)
        goto fail_errno;
    int rc = 0;
    if (in[1] >= 0)
        rc = posix_spawn_file_actions_adddup2(&actions, in[1], STDIN_FILENO);
    else
        rc = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&actions, errp[1], STDERR_FILENO);
    pid_t pid = -1;
    if (rc == 0) {
        char *argv[3] = {(char *)program, (char *)arg, NULL};
        rc = posix_spawnp(&pid, program, &actions, NULL, argv, environ);
    }
    posix_spawn_file_actions_destroy(&actions);
    close_if_open(&in[1]);
    close_if_open(&errp[1]);
    if (rc != 0) {
        result->spawn_error = rc;
        close_if_open(&in[0]);
        close_if_open(&errp[0]);
        return -1;
    }

    /* Feed stdin and drain stderr together until both are done. */
    size_t written = 0, kept = 0;
    if (in[0] >= 0 && input_len == 0)
        close_if_open(&in[0]);
    while (in[0] >= 0 || errp[0] >= 0) {
        struct pollfd fds[2] = {{.fd = in[0], .events = POLLOUT},
                                {.fd = errp[0], .events = POLLIN}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (in[0] >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = send(in[0], input + written, input_len - written, MSG_NOSIGNAL);
            if (n > 0)
                written += (size_t)n;
            if ((n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ||
                written == input_len)
                close_if_open(&in[0]); /* done, or the reader is gone (EPIPE) */
        }
        if (errp[0] >= 0 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
            char chunk[STDERR_KEEP / 4]; /* smaller than the tail kept */
            ssize_t n = read(errp[0], chunk, sizeof chunk);
            if (n > 0) {
                /* keep the tail: gnuplot's last lines say what went wrong */
                if (kept + (size_t)n > STDERR_KEEP - 1) {
                    size_t drop = kept + (size_t)n - (STDERR_KEEP - 1);
                    memmove(result->stderr_text, result->stderr_text + drop, kept - drop);
                    kept -= drop;
                }
                memcpy(result->stderr_text + kept, chunk, (size_t)n);
                kept += (size_t)n;
                result->stderr_text[kept] = '\0';
            } else if (n == 0 || errno != EINTR) {
                close_if_open(&errp[0]);
            }
        }
    }
    close_if_open(&in[0]);
    close_if_open(&errp[0]);

    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            result->exit_status = -1;
            return 0;
        }
    }
    if (WIFEXITED(status))
        result->exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        result->exit_status = 128 + WTERMSIG(status);
    return 0;

fail_errno:
    result->spawn_error = errno;
    close_if_open(&in[0]);
    close_if_open(&in[1]);
    close_if_open(&errp[0]);
    close_if_open(&errp[1]);
    return -1;
}

static bool program_missing(int rc, const run_result *result)
{
    /* glibc reports a failed exec from posix_spawnp; elsewhere the child
     * exits 127 as a shell would. */
    return (rc != 0 && (result->spawn_error == ENOENT || result->spawn_error == EACCES ||
                        result->spawn_error == ENOTDIR)) ||
           (rc == 0 && result->exit_status == 127);
}

/* Availability, cached per command so a changed $DRSIM_GNUPLOT is noticed. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static char *cached_command;
static bool cached_available;

bool plot_gnuplot_available(void)
{
    const char *command = plot_gnuplot_command();
    pthread_mutex_lock(&cache_lock);
    if (cached_command == NULL || strcmp(cached_command, command) != 0) {
        run_result *result = malloc(sizeof *result);
        bool available = false;
        if (result != NULL) {
            int rc = run_program(command, "--version", NULL, 0, result);
            available = rc == 0 && result->exit_status == 0;
            free(result);
        }
        char *copy = malloc(strlen(command) + 1);
        if (copy != NULL) {
            strcpy(copy, command);
            free(cached_command);
            cached_command = copy;
        }
        cached_available = available;
    }
    bool available = cached_available;
    pthread_mutex_unlock(&cache_lock);
    return available;
}

/* Rendering ---------------------------------------------------------------- */

typedef enum { FORMAT_PNG, FORMAT_SVG } plot_format;

static int format_of(const char *path, plot_format *format)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        return -1;
    char ext[5] = "";
    size_t len = strlen(dot + 1);
    if (len != 3)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = dot[1 + i];
        ext[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (strcmp(ext, "png") == 0)
        *format = FORMAT_PNG;
    else if (strcmp(ext, "svg") == 0)
        *format = FORMAT_SVG;
    else
        return -1;
    return 0;
}

/* The last non-empty line of gnuplot's stderr, without leading blanks. */
static void last_line(const char *text, char *out, size_t out_size)
{
    const char *best = NULL;
    size_t best_len = 0;
    const char *p = text;
    while (*p != '\0') {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *start = p;
        while (len > 0 && (*start == ' ' || *start == '\t')) {
            start++;
            len--;
        }
        while (len > 0 && (start[len - 1] == '\r' || start[len - 1] == ' '))
            len--;
        if (len > 0) {
            best = start;
            best_len = len;
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    snprintf(out, out_size, "%.*s", best ? (int)best_len : 0, best ? best : "");
}

/* Draws `body` (everything after the terminal and output settings) into
 * path.  0 on success; -1 with err set and no file left behind. */
static int render(const char *path, const script *body, int width, int height, char *err,
                  size_t err_size)
{
    plot_format format;
    if (format_of(path, &format) != 0) {
        snprintf(err, err_size, "cannot plot '%s': unknown format (use .png or .svg)", path);
        return -1;
    }
    if (body->failed) {
        snprintf(err, err_size, "cannot plot '%s': %s", path, strerror(ENOMEM));
        return -1;
    }
    if (!plot_gnuplot_available()) {
        snprintf(err, err_size, "%s", GNUPLOT_NOT_FOUND);
        return -1;
    }

    outfile out;
    if (outfile_open(&out, path, err, err_size) != 0)
        return -1;
    fclose(out.fp); /* gnuplot writes the temporary itself */
    out.fp = NULL;

    script s = {0};
    script_printf(&s, "reset\nset encoding utf8\n");
    if (format == FORMAT_PNG)
        script_printf(&s,
                      "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                      "    set terminal pngcairo size %d,%d font 'sans,10'\n"
                      "} else {\n"
                      "    set terminal png size %d,%d\n"
                      "}\n",
                      width, height, width, height);
    else
        script_printf(&s, "set terminal svg size %d,%d background '#ffffff'\n", width, height);
    script_printf(&s, "set termoption noenhanced\nset output ");
    script_quoted(&s, out.tmp_path);
    script_printf(&s, "\n");
    script_append(&s, body->text, body->len);
    script_printf(&s, "unset output\n");
    if (s.failed) {
        free(s.text);
        outfile_abort(&out);
        snprintf(err, err_size, "cannot plot '%s': %s", path, strerror(ENOMEM));
        return -1;
    }

    run_result *result = malloc(sizeof *result);
    if (result == NULL) {
        free(s.text);
        outfile_abort(&out);
        snprintf(err, err_size, "cannot plot '%s': %s", path, strerror(ENOMEM));
        return -1;
    }
    int rc = run_program(plot_gnuplot_command(), NULL, s.text, s.len, result);
    free(s.text);

    int status = -1;
    if (program_missing(rc, result)) {
        snprintf(err, err_size, "%s", GNUPLOT_NOT_FOUND);
    } else if (rc != 0) {
        snprintf(err, err_size, "cannot plot '%s': cannot run %s: %s", path,
                 plot_gnuplot_command(), strerror(result->spawn_error));
    } else if (result->exit_status != 0) {
        char why[512];
        last_line(result->stderr_text, why, sizeof why);
        if (why[0] != '\0')
            snprintf(err, err_size, "cannot plot '%s': gnuplot: %s", path, why);
        else
            snprintf(err, err_size, "cannot plot '%s': gnuplot exited with status %d", path,
                     result->exit_status);
    } else {
        struct stat st;
        if (stat(out.tmp_path, &st) != 0 || st.st_size == 0)
            snprintf(err, err_size, "cannot plot '%s': gnuplot wrote nothing", path);
        else
            status = 0;
    }
    free(result);
    if (status != 0) {
        outfile_abort(&out);
        return -1;
    }
    return outfile_commit(&out, err, err_size);
}

static void set_title_and_labels(script *s, const char *title, const char *x_label,
                                 const char *y_label)
{
    if (title != NULL && title[0] != '\0') {
        script_printf(s, "set title ");
        script_quoted(s, title);
        script_printf(s, "\n");
    }
    script_printf(s, "set xlabel ");
    script_quoted(s, x_label);
    script_printf(s, "\nset ylabel ");
    script_quoted(s, y_label);
    script_printf(s, "\n");
}

/* An empty frame with a message in the middle (gnuplot cannot plot no data). */
static void plot_nothing(script *s, const char *message)
{
    script_printf(s, "set label 1 ");
    script_quoted(s, message);
    script_printf(s, " at graph 0.5, graph 0.5 center\n"
                     "set xrange [0:1]\nset yrange [0:1]\nunset key\n"
                     "unset xtics\nunset ytics\nunset grid\n"
                     "plot 2 notitle\n");
}

/* Histogram ---------------------------------------------------------------- */

/* Freedman–Diaconis (bin width 2·IQR/n^(1/3)) when the IQR is positive, else
 * the square-root rule; always within [1, HISTOGRAM_MAX_BINS]. */
static size_t histogram_bins(const double *sorted, size_t n)
{
    double range = sorted[n - 1] - sorted[0];
    if (n < 2 || !(range > 0.0))
        return 1;
    double iqr = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.75) -
                 gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.25);
    double bins;
    if (iqr > 0.0)
        bins = ceil(range / (2.0 * iqr / cbrt((double)n)));
    else
        bins = ceil(sqrt((double)n));
    if (!(bins >= 1.0))
        bins = 1.0;
    if (bins > HISTOGRAM_MAX_BINS)
        bins = HISTOGRAM_MAX_BINS;
    return (size_t)bins;
}

int plot_histogram(const char *path, const char *title, const char *x_label,
                   const double *values, size_t n, char *err, size_t err_size)
{
    double *finite = malloc((n > 0 ? n : 1) * sizeof *finite);
    if (finite == NULL) {
        snprintf(err, err_size, "cannot plot '%s': %s", path, strerror(ENOMEM));
        return -1;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i]))
            finite[m++] = values[i];

    script s = {0};
    set_title_and_labels(&s, title, x_label, "count");
    script_printf(&s, "set style fill solid 0.6 border lc rgb '#224466'\n"
                      "set grid ytics\nunset key\n");
    if (m == 0) {
        plot_nothing(&s, "no data");
    } else {
        gsl_sort(finite, 1, m);
        double low = finite[0], high = finite[m - 1];
        size_t bins = histogram_bins(finite, m);
        double width;
        if (high > low) {
            width = (high - low) / (double)bins;
        } else { /* all equal: one bar centred on the value */
            width = low != 0.0 ? fabs(low) * 0.1 : 1.0;
            low -= width / 2.0;
            high += width / 2.0;
        }
        size_t *counts = calloc(bins, sizeof *counts);
        if (counts == NULL) {
            free(finite);
            free(s.text);
            snprintf(err, err_size, "cannot plot '%s': %s", path, strerror(ENOMEM));
            return -1;
        }
        for (size_t i = 0; i < m; i++) {
            size_t bin = (size_t)((finite[i] - low) / width);
            counts[bin < bins ? bin : bins - 1]++;
        }
        script_printf(&s, "$data << EOD\n");
        for (size_t b = 0; b < bins; b++)
            script_printf(&s, "%.17g %zu\n", low + ((double)b + 0.5) * width, counts[b]);
        script_printf(&s, "EOD\n");
        free(counts);
        script_printf(&s, "set boxwidth %.17g absolute\n", width);
        script_printf(&s, "set xrange [%.17g:%.17g]\nset yrange [0:*]\n", low - 0.5 * width,
                      high + 0.5 * width);
        script_printf(&s, "set offsets 0, 0, graph 0.1, 0\n"); /* room for the n label */
        script_printf(&s, "set label 1 'n = %zu", m);
        if (m < n)
            script_printf(&s, " (%zu non-finite left out)", n - m);
        script_printf(&s, "' at graph 0.98, graph 0.95 right front\n");
        script_printf(&s, "plot $data using 1:2 with boxes lc rgb '#4477aa' notitle\n");
    }
    free(finite);
    int rc = render(path, &s, 800, 500, err, err_size);
    free(s.text);
    return rc;
}

/* Timeline ----------------------------------------------------------------- */

static const char *label_or_none(const char *label)
{
    return label != NULL && label[0] != '\0' ? label : "(none)";
}

int plot_timeline(const char *path, const char *title, const plot_interval *intervals,
                  size_t n, double horizon_s, char *err, size_t err_size)
{
    const double day = 86400.0;
    size_t valid = 0;
    double latest_s = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(intervals[i].start_s) && isfinite(intervals[i].end_s)) {
            valid++;
            if (intervals[i].end_s > latest_s)
                latest_s = intervals[i].end_s;
        }
    }
    double horizon_days = (isfinite(horizon_s) && horizon_s > 0.0 ? horizon_s : latest_s) / day;
    if (!(horizon_days > 0.0))
        horizon_days = 1.0;

    /* Rows: one per interval when few, else one per distinct label (first
     * seen first), else a single row. */
    bool per_interval = valid <= TIMELINE_MAX_LABELLED;
    const char *row_labels[TIMELINE_MAX_ROWS];
    size_t rows = 0;
    bool single_row = false;
    if (!per_interval) {
        for (size_t i = 0; i < n && !single_row; i++) {
            const char *label = label_or_none(intervals[i].label);
            size_t r = 0;
            while (r < rows && strcmp(row_labels[r], label) != 0)
                r++;
            if (r == rows) {
                if (rows == TIMELINE_MAX_ROWS)
                    single_row = true;
                else
                    row_labels[rows++] = label;
            }
        }
        if (single_row)
            rows = 1;
    } else {
        rows = valid;
    }

    script s = {0};
    set_title_and_labels(&s, title, "time (days)", "");
    script_printf(&s, "unset key\nset grid xtics\n");
    if (valid == 0) {
        script_printf(&s, "unset ytics\n");
        plot_nothing(&s, "no intervals");
    } else {
        script_printf(&s, "$bars << EOD\n");
        size_t row = 0;
        for (size_t i = 0; i < n; i++) {
            const plot_interval *iv = &intervals[i];
            if (!(isfinite(iv->start_s) && isfinite(iv->end_s)))
                continue;
            double y;
            if (per_interval) {
                y = (double)(rows - row++); /* first interval on top */
            } else if (single_row) {
                y = 1.0;
            } else {
                const char *label = label_or_none(iv->label);
                size_t r = 0;
                while (strcmp(row_labels[r], label) != 0)
                    r++;
                y = (double)(rows - r);
            }
            double start = fmax(0.0, iv->start_s / day), end = fmin(horizon_days, iv->end_s / day);
            if (end < start)
                end = start;
            script_printf(&s, "%.17g %.17g %.17g\n", start, end, y);
        }
        script_printf(&s, "EOD\n");

        if (per_interval) {
            script_printf(&s, "unset ytics\n");
            row = 0;
            for (size_t i = 0; i < n; i++) {
                const plot_interval *iv = &intervals[i];
                if (!(isfinite(iv->start_s) && isfinite(iv->end_s)))
                    continue;
                double y = (double)(rows - row++);
                if (iv->label == NULL || iv->label[0] == '\0')
                    continue;
                double start = fmax(0.0, iv->start_s / day);
                double end = fmin(horizon_days, iv->end_s / day);
                bool right_half = end > 0.7 * horizon_days;
                script_printf(&s, "set label %zu ", row);
                script_quoted(&s, iv->label);
                script_printf(&s, " at %.17g, %.17g %s offset character %d, 0 front\n",
                              right_half ? start : end, y, right_half ? "right" : "left",
                              right_half ? -1 : 1);
            }
        } else if (single_row) {
            script_printf(&s, "set ytics ('all intervals' 1)\n");
        } else {
            script_printf(&s, "set ytics (");
            for (size_t r = 0; r < rows; r++) {
                script_printf(&s, "%s", r ? ", " : "");
                script_quoted(&s, row_labels[r]);
                script_printf(&s, " %zu", rows - r);
            }
            script_printf(&s, ")\n");
        }
        script_printf(&s, "set xrange [0:%.17g]\nset yrange [0.5:%zu.5]\n", horizon_days, rows);
        script_printf(&s, "plot $bars using (($1+$2)/2):3:1:2:($3-0.35):($3+0.35) "
                          "with boxxyerror fill solid 0.8 border lc rgb '#cc3311' "
                          "lc rgb '#cc3311' notitle\n");
    }
    size_t height_rows = rows > 0 ? rows : 1;
    int height = (int)(140 + 26 * height_rows);
    if (height < 300)
        height = 300;
    if (height > 1200)
        height = 1200;
    int rc = render(path, &s, 900, height, err, err_size);
    free(s.text);
    return rc;
}

int plot_scatter(const char *path, const char *title, const char *x_label, const char *y_label,
                 const plot_point *points, size_t n, bool log_x, char *err, size_t err_size)
{
    script s = {0};
    set_title_and_labels(&s, title, x_label, y_label);
    script_printf(&s, "unset key\nset grid\nset offsets graph 0.08, graph 0.25, graph 0.12, graph 0.12\n");
    if (log_x)
        script_printf(&s, "set logscale x\n");
    size_t shown = 0;
    for (size_t i = 0; i < n; i++)
        shown += isfinite(points[i].x) && isfinite(points[i].y) && (!log_x || points[i].x > 0);
    if (shown == 0) {
        plot_nothing(&s, "no points");
    } else {
        /* labels as gnuplot strings (never inside the data block, which
         * holds numbers only) */
        for (size_t i = 0; i < n; i++) {
            const plot_point *p = &points[i];
            if (!(isfinite(p->x) && isfinite(p->y) && (!log_x || p->x > 0)))
                continue;
            script_printf(&s, "set label %zu ", i + 1);
            script_quoted(&s, label_or_none(p->label));
            script_printf(&s, " at %.17g, %.17g offset 1, 0.6 font ',9'\n", p->x, p->y);
        }
        script_printf(&s, "$points << EOD\n");
        for (size_t i = 0; i < n; i++) {
            const plot_point *p = &points[i];
            if (isfinite(p->x) && isfinite(p->y) && (!log_x || p->x > 0))
                script_printf(&s, "%.17g %.17g\n", p->x, p->y);
        }
        script_printf(&s, "EOD\n");
        script_printf(&s, "plot $points using 1:2 with points pointtype 7 pointsize 1.6 "
                          "linecolor rgb '#4477aa'\n");
    }
    int rc = -1;
    if (s.failed)
        snprintf(err, err_size, "cannot plot '%s': out of memory", path);
    else
        rc = render(path, &s, 800, 500, err, err_size);
    free(s.text);
    return rc;
}

/* Lines with markers ------------------------------------------------------- */

int plot_lines(const char *path, const char *title, const char *x_label, const char *y_label,
               const double *x, size_t n, const plot_line *lines, size_t n_lines,
               const plot_marker *markers, size_t n_markers, char *err, size_t err_size)
{
    static const char *const colours[] = {"#cc3311", "#4477aa", "#228833", "#aa3377", "#666666"};
    script s = {0};
    set_title_and_labels(&s, title, x_label, y_label);
    script_printf(&s, "set grid\nset key outside bottom center horizontal\n");
    if (n == 0 || n_lines == 0) {
        plot_nothing(&s, "no samples");
    } else {
        /* markers: dashed vertical lines, labels rotated along them */
        for (size_t i = 0; i < n_markers; i++) {
            if (!isfinite(markers[i].x))
                continue;
            script_printf(&s, "set arrow %zu from %.17g, graph 0 to %.17g, graph 1 nohead "
                              "dashtype 2 linecolor rgb '#999999'\n",
                          i + 1, markers[i].x, markers[i].x);
            script_printf(&s, "set label %zu ", i + 1);
            script_quoted(&s, label_or_none(markers[i].label));
            script_printf(&s, " at %.17g, graph 0.98 rotate by 90 right offset -0.6, 0 "
                              "font ',8' textcolor rgb '#555555'\n", markers[i].x);
        }
        script_printf(&s, "$lines << EOD\n");
        for (size_t r = 0; r < n; r++) {
            script_printf(&s, "%.17g", x[r]);
            for (size_t l = 0; l < n_lines; l++) {
                double v = lines[l].y[r];
                if (isfinite(v))
                    script_printf(&s, " %.17g", v);
                else
                    script_printf(&s, " NaN");
            }
            script_printf(&s, "\n");
        }
        script_printf(&s, "EOD\nplot ");
        for (size_t l = 0; l < n_lines; l++) {
            script_printf(&s, "%s$lines using 1:%zu with lines linewidth 2 linecolor rgb '%s' title ",
                          l ? ", " : "", l + 2, colours[l % 5]);
            script_quoted(&s, label_or_none(lines[l].name));
        }
        script_printf(&s, "\n");
    }
    int rc = -1;
    if (s.failed)
        snprintf(err, err_size, "cannot plot '%s': out of memory", path);
    else
        rc = render(path, &s, 1000, 500, err, err_size);
    free(s.text);
    return rc;
}
