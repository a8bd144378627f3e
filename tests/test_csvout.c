/*
 * test_csvout — RFC 4180 records, quoting, and numbers that round-trip.
 *
 * Output is captured with open_memstream and compared byte for byte; one
 * test writes a real file and reads it back with libcsv's strict parser.
 * The random round-trip test prints its seed on failure (-s SEED replays).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>
#include <gsl/gsl_rng.h>

#include "csvout.h"
#include "outfile.h"

static unsigned long test_seed = 4181UL;

/* A writer on a memory stream; finish() closes it and returns the text. */
typedef struct capture {
    FILE *fp;
    char *text;
    size_t size;
    csv_writer w;
} capture;

static void capture_begin(capture *c)
{
    c->text = NULL;
    c->size = 0;
    c->fp = open_memstream(&c->text, &c->size);
    assert_non_null(c->fp);
    csv_writer_init(&c->w, c->fp);
}

static const char *capture_end(capture *c)
{
    assert_false(c->w.failed);
    assert_int_equal(fclose(c->fp), 0);
    c->fp = NULL;
    return c->text;
}

static void test_header_is_written_exactly(void **state)
{
    (void)state;
    static const char *const names[] = {"metric", "unit", "mean", "ci_low", "ci_high",
                                        "p50",    "p95",  "p99",  NULL};
    capture c;
    capture_begin(&c);
    csv_write_header(&c.w, names);
    assert_string_equal(capture_end(&c), "metric,unit,mean,ci_low,ci_high,p50,p95,p99\r\n");
    free(c.text);
}

static void test_fields_are_quoted_only_when_needed(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c);
    csv_write_str(&c.w, "plain");
    csv_write_str(&c.w, "a,b");
    csv_write_str(&c.w, "say \"hi\"");
    csv_write_str(&c.w, "two\nlines");
    csv_write_str(&c.w, "cr\r");
    csv_write_str(&c.w, "");
    csv_write_str(&c.w, NULL);
    csv_write_str(&c.w, "inner space");
    csv_write_str(&c.w, " leading");
    csv_write_str(&c.w, "trailing\t");
    csv_write_str(&c.w, "unit[0]");
    csv_end_row(&c.w);
    assert_string_equal(capture_end(&c), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\","
                                         "\"cr\r\",,,inner space,\" leading\",\"trailing\t\","
                                         "unit[0]\r\n");
    free(c.text);
}

static void test_numbers_have_fixed_spellings(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c);
    csv_write_double(&c.w, 0.1);
    csv_write_double(&c.w, 1e-300);
    csv_write_double(&c.w, 5e-324);
    csv_write_double(&c.w, 1e300);
    csv_write_double(&c.w, -0.0);
    csv_write_double(&c.w, 0.0);
    csv_write_double(&c.w, NAN);
    csv_write_double(&c.w, INFINITY);
    csv_write_double(&c.w, -INFINITY);
    csv_write_double(&c.w, 0.9999);
    csv_write_double(&c.w, 1.0 / 3.0);
    csv_write_double(&c.w, 3153.6);
    csv_write_double(&c.w, 31536000.0);
    csv_write_int(&c.w, INT64_MIN);
    csv_write_int(&c.w, INT64_MAX);
    csv_write_empty(&c.w);
    csv_end_row(&c.w);
    assert_string_equal(capture_end(&c), "0.1,1e-300,4.94065645841247e-324,1e+300,-0,0,,inf,"
                                         "-inf,0.9999,0.3333333333333333,3153.6,31536000,"
                                         "-9223372036854775808,9223372036854775807,\r\n");
    free(c.text);
}

static void test_rows_restart_the_separator(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c);
    csv_write_int(&c.w, 1);
    csv_write_int(&c.w, 2);
    csv_end_row(&c.w);
    csv_write_int(&c.w, 3);
    csv_end_row(&c.w);
    csv_write_empty(&c.w);
    csv_write_empty(&c.w);
    csv_end_row(&c.w);
    assert_string_equal(capture_end(&c), "1,2\r\n3\r\n,\r\n");
    free(c.text);
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Reads back as the same double, and is no longer than needed: when %.15g
 * (or %.16g) already round-trips, that is what was written. */
static void check_round_trip(double value, unsigned long seed)
{
    char buf[40], shorter[40];
    csv_format_double(value, buf, sizeof buf);
    double back = strtod(buf, NULL);
    bool ok = same_bits(back, value);
    for (int precision = 15; ok && precision <= 16; precision++) {
        snprintf(shorter, sizeof shorter, "%.*g", precision, value);
        if (strtod(shorter, NULL) == value) {
            ok = strcmp(shorter, buf) == 0;
            break;
        }
    }
    if (!ok) {
        fprintf(stderr, "%.17g formatted as \"%s\" (seed %lu; replay with -s %lu)\n", value, buf,
                seed, seed);
        fail();
    }
}

static void test_doubles_round_trip(void **state)
{
    (void)state;
    const double fixed[] = {0.1, 0.2, 0.3, 1e-300, 5e-324, 2.2250738585072014e-308,
                            1e300, 1.7976931348623157e308, -0.0, 0.0, 1.0, -1.0,
                            123456789012345678.0, 0.9999, 0.99999, 1.0 - 1e-16,
                            3153.6, 86400.0 * 365.0, 9007199254740993.0};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_round_trip(fixed[i], test_seed);

    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, test_seed);
    for (int i = 0; i < 200000; i++) {
        double value;
        if (i % 2 == 0) {
            /* any finite bit pattern: every exponent, subnormals included */
            uint64_t bits = ((uint64_t)gsl_rng_get(rng) << 32) | (uint64_t)gsl_rng_get(rng);
            memcpy(&value, &bits, sizeof value);
            if (!isfinite(value))
                continue;
        } else {
            /* the numbers drsim writes: seconds, fractions, rates */
            value = gsl_rng_uniform(rng) * pow(10.0, (double)(int)(gsl_rng_uniform_int(rng, 20)) - 6);
        }
        check_round_trip(value, test_seed);
    }
    gsl_rng_free(rng);
}

static void test_format_double_spells_non_finite_values(void **state)
{
    (void)state;
    char buf[40];
    assert_string_equal(csv_format_double(INFINITY, buf, sizeof buf), "inf");
    assert_string_equal(csv_format_double(-INFINITY, buf, sizeof buf), "-inf");
    assert_string_equal(csv_format_double(NAN, buf, sizeof buf), "nan");
    assert_true(isinf(strtod("inf", NULL)) && strtod("-inf", NULL) < 0);
}

static void test_write_errors_are_sticky(void **state)
{
    (void)state;
    FILE *fp = fopen("/dev/full", "w");
    if (fp == NULL)
        skip();
    setvbuf(fp, NULL, _IONBF, 0);
    csv_writer w;
    csv_writer_init(&w, fp);
    assert_false(w.failed);
    csv_write_str(&w, "x");
    assert_true(w.failed);
    clearerr(fp);
    csv_end_row(&w);
    assert_true(w.failed);
    fclose(fp);
}

/* Reading back with libcsv ------------------------------------------------ */

enum { MAX_FIELDS = 400 };

typedef struct parsed {
    char *fields[MAX_FIELDS];
    size_t row_of[MAX_FIELDS];
    size_t count;
    size_t rows;
} parsed;

static void on_field(void *data, size_t len, void *ctx)
{
    parsed *p = ctx;
    assert_true(p->count < MAX_FIELDS);
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    if (len > 0)
        memcpy(copy, data, len);
    copy[len] = '\0';
    p->row_of[p->count] = p->rows;
    p->fields[p->count++] = copy;
}

static void on_row(int terminator, void *ctx)
{
    parsed *p = ctx;
    assert_true(terminator == '\r' || terminator == '\n');
    p->rows++;
}

static void test_written_file_is_valid_rfc4180_for_libcsv(void **state)
{
    (void)state;
    static const char *const header[] = {"trial", "cause", "start_s", "duration_s", NULL};
    static const char *const causes[] = {"unit[0]",  "zone \"east-a\"", "a,b",
                                         "multi\r\nline", "",         " padded ",
                                         "plain text"};
    enum { ROWS = 7 };
    const double numbers[ROWS] = {0.1, -0.0, 5e-324, 1e300, 3153.6, 1.0 / 3.0, 86400.5};

    char dir[] = "/tmp/drsim-csvout-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/incidents.csv", dir);

    outfile f;
    assert_int_equal(outfile_open(&f, path, err, sizeof err), 0);
    csv_writer w;
    csv_writer_init(&w, f.fp);
    csv_write_header(&w, header);
    for (int i = 0; i < ROWS; i++) {
        csv_write_int(&w, i);
        csv_write_str(&w, causes[i]);
        csv_write_double(&w, numbers[i]);
        csv_write_double(&w, i == 3 ? NAN : numbers[i] * 2.0);
        csv_end_row(&w);
    }
    assert_false(w.failed);
    assert_int_equal(outfile_commit(&f, err, sizeof err), 0);

    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char raw[4096];
    size_t len = fread(raw, 1, sizeof raw, fp);
    fclose(fp);
    unlink(path);
    rmdir(dir);
    assert_true(len > 0 && len < sizeof raw);
    assert_memory_equal(raw, "trial,cause,start_s,duration_s\r\n", 32);
    assert_memory_equal(raw + len - 2, "\r\n", 2);

    struct csv_parser parser;
    assert_int_equal(csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
    parsed p = {.count = 0, .rows = 0};
    assert_int_equal(csv_parse(&parser, raw, len, on_field, on_row, &p), len);
    assert_int_equal(csv_fini(&parser, on_field, on_row, &p), 0);
    assert_int_equal(csv_error(&parser), CSV_SUCCESS);
    csv_free(&parser);

    assert_int_equal(p.rows, ROWS + 1);
    assert_int_equal(p.count, 4 * (ROWS + 1));
    for (size_t k = 0; k < 4; k++)
        assert_string_equal(p.fields[k], header[k]);
    for (int i = 0; i < ROWS; i++) {
        char **row = &p.fields[4 * (i + 1)];
        assert_int_equal(p.row_of[4 * (i + 1)], i + 1);
        assert_int_equal(strtol(row[0], NULL, 10), i);
        assert_string_equal(row[1], causes[i]);
        assert_true(same_bits(strtod(row[2], NULL), numbers[i]));
        if (i == 3)
            assert_string_equal(row[3], "");
        else
            assert_true(strtod(row[3], NULL) == numbers[i] * 2.0);
    }
    for (size_t k = 0; k < p.count; k++)
        free(p.fields[k]);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            test_seed = strtoul(argv[++i], NULL, 10);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_is_written_exactly),
        cmocka_unit_test(test_fields_are_quoted_only_when_needed),
        cmocka_unit_test(test_numbers_have_fixed_spellings),
        cmocka_unit_test(test_rows_restart_the_separator),
        cmocka_unit_test(test_doubles_round_trip),
        cmocka_unit_test(test_format_double_spells_non_finite_values),
        cmocka_unit_test(test_write_errors_are_sticky),
        cmocka_unit_test(test_written_file_is_valid_rfc4180_for_libcsv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
