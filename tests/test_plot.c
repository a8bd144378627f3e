/*
 * test_plot — real figures from the real gnuplot, and no files on failure.
 *
 * Each test draws into a fresh directory and checks the directory holds
 * exactly what it should (a stray temporary is a failure).  PNGs are checked
 * by signature and IHDR size, SVGs by `xmllint --noout`.  Failures of gnuplot
 * are provoked with DRSIM_GNUPLOT: a missing program, /bin/true (runs, draws
 * nothing) and a wrapper that slips an error into the script after `set
 * output`, so gnuplot has already started the file.  Tests that need gnuplot
 * are skipped when it is not installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "plot.h"

#define NOT_FOUND "gnuplot not found (install gnuplot-nox, or set DRSIM_GNUPLOT)"

typedef struct fixture {
    char dir[256];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/drsim-plot-XXXXXX");
    if (mkdtemp(fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    unsetenv("DRSIM_GNUPLOT");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    DIR *d = opendir(fx->dir);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            char child[600];
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(child, sizeof child, "%s/%s", fx->dir, e->d_name);
            unlink(child);
        }
        closedir(d);
    }
    rmdir(fx->dir);
    unsetenv("DRSIM_GNUPLOT");
    free(fx);
    return 0;
}

static void join(char *out, size_t size, const fixture *fx, const char *name)
{
    snprintf(out, size, "%s/%s", fx->dir, name);
}

/* Names in the directory, sorted, joined by spaces. */
static void listing(const fixture *fx, char *out, size_t size)
{
    struct dirent **names;
    int n = scandir(fx->dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            if (out[0] != '\0')
                strncat(out, " ", size - strlen(out) - 1);
            strncat(out, names[i]->d_name, size - strlen(out) - 1);
        }
        free(names[i]);
    }
    free(names);
}

static void require_gnuplot(void)
{
    if (!plot_gnuplot_available()) {
        fprintf(stderr, "gnuplot not installed: skipped\n");
        skip();
    }
}

static uint32_t big_endian_32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void check_png(const char *path, uint32_t width, uint32_t height)
{
    unsigned char head[24];
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(head, 1, sizeof head, fp), sizeof head);
    fclose(fp);
    assert_memory_equal(head, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(head + 12, "IHDR", 4);
    assert_true(big_endian_32(head + 16) > 0);
    assert_true(big_endian_32(head + 20) > 0);
    if (width > 0)
        assert_int_equal(big_endian_32(head + 16), width);
    if (height > 0)
        assert_int_equal(big_endian_32(head + 20), height);
}

static void check_svg(const char *path)
{
    char head[64] = "";
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(head, 1, sizeof head - 1, fp);
    fclose(fp);
    head[n] = '\0';
    const char *start = head;
    while (*start == ' ' || *start == '\n' || *start == '\r' || *start == '\t')
        start++;
    assert_true(strncmp(start, "<?xml", 5) == 0 || strncmp(start, "<svg", 4) == 0);

    char command[700];
    snprintf(command, sizeof command, "xmllint --noout '%s'", path);
    int status = system(command);
    assert_true(status != -1 && WIFEXITED(status));
    if (WEXITSTATUS(status) == 127) {
        fprintf(stderr, "xmllint not installed: well-formedness not checked\n");
        return;
    }
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_command_is_gnuplot_unless_overridden(void **state)
{
    (void)state;
    assert_string_equal(plot_gnuplot_command(), "gnuplot");
    setenv("DRSIM_GNUPLOT", "/opt/gp/bin/gnuplot", 1);
    assert_string_equal(plot_gnuplot_command(), "/opt/gp/bin/gnuplot");
    setenv("DRSIM_GNUPLOT", "", 1);
    assert_string_equal(plot_gnuplot_command(), "gnuplot");
}

static void test_availability_follows_the_command(void **state)
{
    (void)state;
    require_gnuplot();
    setenv("DRSIM_GNUPLOT", "/nonexistent", 1);
    assert_false(plot_gnuplot_available());
    assert_false(plot_gnuplot_available()); /* cached */
    unsetenv("DRSIM_GNUPLOT");
    assert_true(plot_gnuplot_available());
}

static void test_histogram_png_is_a_real_png(void **state)
{
    fixture *fx = *state;
    require_gnuplot();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    double values[1000];
    for (int i = 0; i < 1000; i++)
        values[i] = gsl_ran_lognormal(rng, 1.0, 0.8);
    gsl_rng_free(rng);

    char path[400], err[512] = "", names[512];
    join(path, sizeof path, fx, "downtime.png");
    assert_int_equal(plot_histogram(path, "Downtime per trial-year", "downtime (hours)", values,
                                     1000, err, sizeof err),
                     0);
    check_png(path, 800, 500);
    listing(fx, names, sizeof names);
    assert_string_equal(names, "downtime.png");
}

static void test_timeline_svg_is_well_formed(void **state)
{
    fixture *fx = *state;
    require_gnuplot();
    const plot_interval intervals[] = {
        {3.0 * 86400, 3.5 * 86400, "unit[0]"},
        {40.0 * 86400, 40.1 * 86400, "zone east-a"},
        {200.0 * 86400, 230.0 * 86400, "region <east> & \"west\""},
        {364.0 * 86400, 400.0 * 86400, NULL}, /* runs past the horizon */
    };
    char path[400], err[512] = "", names[512];
    join(path, sizeof path, fx, "incidents.svg");
    assert_int_equal(plot_timeline(path, "Incidents in trial 0", intervals, 4, 365.0 * 86400,
                                   err, sizeof err),
                     0);
    check_svg(path);
    listing(fx, names, sizeof names);
    assert_string_equal(names, "incidents.svg");
}

static void test_histogram_svg_and_timeline_png(void **state)
{
    fixture *fx = *state;
    require_gnuplot();
    const double values[] = {1, 2, 2, 3, 3, 3, 4, 4, 5, 40};
    char path[400], err[512] = "";
    join(path, sizeof path, fx, "h.SVG");
    assert_int_equal(plot_histogram(path, "t", "x (s)", values, 10, err, sizeof err), 0);
    check_svg(path);

    const plot_interval one = {0.0, 86400.0, "unit"};
    join(path, sizeof path, fx, "t.png");
    assert_int_equal(plot_timeline(path, "t", &one, 1, 7 * 86400.0, err, sizeof err), 0);
    check_png(path, 900, 0);
}

static void test_histogram_of_nothing_or_equal_values(void **state)
{
    fixture *fx = *state;
    require_gnuplot();
    char path[400], err[512] = "", names[512];

    join(path, sizeof path, fx, "empty.png");
    assert_int_equal(plot_histogram(path, "no trials", "downtime (hours)", NULL, 0, err,
                                    sizeof err),
                     0);
    check_png(path, 800, 500);

    const double same[] = {2.5, 2.5, 2.5, 2.5};
    join(path, sizeof path, fx, "same.png");
    assert_int_equal(plot_histogram(path, "all equal", "x", same, 4, err, sizeof err), 0);
    check_png(path, 800, 500);

    const double zeros[] = {0, 0, 0};
    join(path, sizeof path, fx, "zeros.svg");
    assert_int_equal(plot_histogram(path, "all zero", "x", zeros, 3, err, sizeof err), 0);
    check_svg(path);

    const double one[] = {-7.0};
    join(path, sizeof path, fx, "one.svg");
    assert_int_equal(plot_histogram(path, "one value", "x", one, 1, err, sizeof err), 0);
    check_svg(path);

    const double odd[] = {NAN, INFINITY, 1.0, 2.0, -INFINITY};
    join(path, sizeof path, fx, "odd.svg");
    assert_int_equal(plot_histogram(path, "non-finite", "x", odd, 5, err, sizeof err), 0);
    check_svg(path);

    const double only_nan[] = {NAN, NAN};
    join(path, sizeof path, fx, "nan.svg");
    assert_int_equal(plot_histogram(path, "all NaN", "x", only_nan, 2, err, sizeof err), 0);
    check_svg(path);

    /* a zero IQR with a long tail: the square-root rule, still within 60 */
    double spike[500];
    for (int i = 0; i < 500; i++)
        spike[i] = i < 490 ? 0.0 : 1e6 * i;
    join(path, sizeof path, fx, "spike.svg");
    assert_int_equal(plot_histogram(path, "spike", "x", spike, 500, err, sizeof err), 0);
    check_svg(path);

    listing(fx, names, sizeof names);
    assert_string_equal(names, "empty.png nan.svg odd.svg one.svg same.png spike.svg zeros.svg");
}

static void test_timeline_of_many_or_no_intervals(void **state)
{
    fixture *fx = *state;
    require_gnuplot();
    static const char *const causes[] = {"unit[0]", "it's 'quoted'", "line\nbreak"};
    enum { N = 500 };
    plot_interval *many = calloc(N, sizeof *many);
    assert_non_null(many);
    for (int i = 0; i < N; i++) {
        many[i].start_s = i * 60000.0;
        many[i].end_s = many[i].start_s + 3600.0 * (1 + i % 7);
        many[i].label = causes[i % 3];
    }
    char path[400], err[512] = "", names[512];
    join(path, sizeof path, fx, "many.svg");
    assert_int_equal(plot_timeline(path, "by cause", many, N, 0.0, err, sizeof err), 0);
    check_svg(path);

    /* more distinct labels than rows: a single row */
    char labels[30][16];
    for (int i = 0; i < N; i++) {
        if (i < 30) {
            snprintf(labels[i], sizeof labels[i], "c%d", i);
        }
        many[i].label = labels[i % 30];
    }
    join(path, sizeof path, fx, "crowded.png");
    assert_int_equal(plot_timeline(path, "crowded", many, N, 400 * 86400.0, err, sizeof err), 0);
    check_png(path, 900, 0);
    free(many);

    join(path, sizeof path, fx, "none.svg");
    assert_int_equal(plot_timeline(path, "no incidents", NULL, 0, 365 * 86400.0, err, sizeof err),
                     0);
    check_svg(path);

    listing(fx, names, sizeof names);
    assert_string_equal(names, "crowded.png many.svg none.svg");
}

/* Quotes, backslashes, newlines, backquotes (gnuplot's command
 * substitution), @macros and a line reading EOD must all come out as text. */
static void test_hostile_text_cannot_break_the_script(void **state)
{
    fixture *fx = *state;
    require_gnuplot();
    char witness[400], title[900], path[400], err[512] = "", names[512];
    join(witness, sizeof witness, fx, "pwned");
    snprintf(title, sizeof title,
             "it's \"quoted\" \\ back\\slash \\n\nsecond line\r\nEOD\n`touch %s` "
             "@GPVAL_TERM $data {^_} \x01 %%s %%n '' '",
             witness);
    const double values[] = {1, 2, 3};
    join(path, sizeof path, fx, "it's a \"path\" `x`.png");
    assert_int_equal(plot_histogram(path, title, title, values, 3, err, sizeof err), 0);
    check_png(path, 800, 500);

    const plot_interval iv[] = {{0, 86400, title}, {86400 * 2, 86400 * 3, "'\n'"}};
    join(path, sizeof path, fx, "t.svg");
    assert_int_equal(plot_timeline(path, title, iv, 2, 86400 * 10, err, sizeof err), 0);
    check_svg(path);

    /* The SVG holds the title as text: it must read exactly as given (an
     * expanded @GPVAL_TERM would read "svg"). */
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char svg[1 << 20];
    size_t len = fread(svg, 1, sizeof svg - 1, fp);
    fclose(fp);
    svg[len] = '\0';
    assert_non_null(strstr(svg, "<text>it's \"quoted\" \\ back\\slash \\n</text>"));
    assert_non_null(strstr(svg, "<text>second line</text>"));
    assert_non_null(strstr(svg, "` @GPVAL_TERM $data {^_}   %s %n '' '</text>"));

    listing(fx, names, sizeof names);
    assert_string_equal(names, "it's a \"path\" `x`.png t.svg");
}

static void test_missing_gnuplot_says_so_and_leaves_no_file(void **state)
{
    fixture *fx = *state;
    setenv("DRSIM_GNUPLOT", "/nonexistent", 1);
    assert_false(plot_gnuplot_available());
    char path[400], err[512] = "", names[512];
    const double values[] = {1, 2, 3};
    join(path, sizeof path, fx, "h.png");
    assert_int_equal(plot_histogram(path, "t", "x", values, 3, err, sizeof err), -1);
    assert_string_equal(err, NOT_FOUND);
    err[0] = '\0';
    join(path, sizeof path, fx, "t.svg");
    assert_int_equal(plot_timeline(path, "t", NULL, 0, 1.0, err, sizeof err), -1);
    assert_string_equal(err, NOT_FOUND);
    listing(fx, names, sizeof names);
    assert_string_equal(names, "");
}

static void test_gnuplot_error_after_output_started_leaves_no_file(void **state)
{
    fixture *fx = *state;
    require_gnuplot();
    /* a gnuplot that gets an undefined function just before `unset output` */
    char wrapper[400];
    join(wrapper, sizeof wrapper, fx, "broken-gnuplot");
    FILE *fp = fopen(wrapper, "w");
    assert_non_null(fp);
    fputs("#!/bin/sh\n"
          "[ \"$1\" = --version ] && exec gnuplot --version\n"
          "sed 's/^unset output$/plot no_such_function(x)/' | gnuplot\n",
          fp);
    fclose(fp);
    chmod(wrapper, 0755);
    setenv("DRSIM_GNUPLOT", wrapper, 1);

    char path[400], err[512] = "", names[512];
    const double values[] = {1, 2, 3};
    join(path, sizeof path, fx, "h.png");
    assert_int_equal(plot_histogram(path, "t", "x", values, 3, err, sizeof err), -1);
    char prefix[500];
    snprintf(prefix, sizeof prefix, "cannot plot '%s': gnuplot: ", path);
    assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
    assert_non_null(strstr(err, "undefined"));
    listing(fx, names, sizeof names);
    assert_string_equal(names, "broken-gnuplot");
}

static void test_gnuplot_that_draws_nothing_leaves_no_file(void **state)
{
    fixture *fx = *state;
    if (access("/bin/true", X_OK) != 0)
        skip();
    setenv("DRSIM_GNUPLOT", "/bin/true", 1);
    char path[400], err[512] = "", names[512];
    join(path, sizeof path, fx, "h.svg");
    assert_int_equal(plot_timeline(path, "t", NULL, 0, 1.0, err, sizeof err), -1);
    char expected[500];
    snprintf(expected, sizeof expected, "cannot plot '%s': gnuplot wrote nothing", path);
    assert_string_equal(err, expected);
    listing(fx, names, sizeof names);
    assert_string_equal(names, "");
}

static void test_a_failed_plot_keeps_the_previous_figure(void **state)
{
    fixture *fx = *state;
    char path[400], err[512] = "";
    join(path, sizeof path, fx, "h.svg");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("old figure", fp);
    fclose(fp);
    setenv("DRSIM_GNUPLOT", "/bin/true", 1);
    const double values[] = {1};
    assert_int_equal(plot_histogram(path, "t", "x", values, 1, err, sizeof err), -1);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 10);
}

static void test_unknown_format_is_refused(void **state)
{
    fixture *fx = *state;
    char path[400], err[512] = "", names[512];
    const double values[] = {1};
    join(path, sizeof path, fx, "h.pdf");
    assert_int_equal(plot_histogram(path, "t", "x", values, 1, err, sizeof err), -1);
    char expected[500];
    snprintf(expected, sizeof expected, "cannot plot '%s': unknown format (use .png or .svg)",
             path);
    assert_string_equal(err, expected);
    join(path, sizeof path, fx, "png");
    assert_int_equal(plot_timeline(path, "t", NULL, 0, 1.0, err, sizeof err), -1);
    listing(fx, names, sizeof names);
    assert_string_equal(names, "");
}

static void test_missing_directory_is_an_error(void **state)
{
    fixture *fx = *state;
    require_gnuplot();
    char path[400], err[512] = "";
    join(path, sizeof path, fx, "no/such/dir/h.png");
    const double values[] = {1};
    assert_int_equal(plot_histogram(path, "t", "x", values, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "No such file or directory"));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_command_is_gnuplot_unless_overridden),
        T(test_availability_follows_the_command),
        T(test_histogram_png_is_a_real_png),
        T(test_timeline_svg_is_well_formed),
        T(test_histogram_svg_and_timeline_png),
        T(test_histogram_of_nothing_or_equal_values),
        T(test_timeline_of_many_or_no_intervals),
        T(test_hostile_text_cannot_break_the_script),
        T(test_missing_gnuplot_says_so_and_leaves_no_file),
        T(test_gnuplot_error_after_output_started_leaves_no_file),
        T(test_gnuplot_that_draws_nothing_leaves_no_file),
        T(test_a_failed_plot_keeps_the_previous_figure),
        T(test_unknown_format_is_refused),
        T(test_missing_directory_is_an_error),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
