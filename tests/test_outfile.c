/*
 * test_outfile — files appear whole or not at all.
 *
 * Each test works in its own fresh directory under $TMPDIR (or /tmp), and
 * checks the directory listing, so a stray temporary is caught.  Tests run
 * as root, so errors are provoked with paths under a regular file rather
 * than with permissions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

typedef struct fixture {
    char dir[256];
    char path[512];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/drsim-outfile-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/out.csv", fx->dir);
    *state = fx;
    return 0;
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char child[1024];
                snprintf(child, sizeof child, "%s/%s", path, e->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int teardown(void **state)
{
    fixture *fx = *state;
    remove_tree(fx->dir);
    free(fx);
    return 0;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void read_whole(const char *path, char *buf, size_t size)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, size - 1, fp);
    buf[n] = '\0';
    fclose(fp);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static void test_file_appears_only_after_commit(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    outfile f;
    assert_int_equal(outfile_open(&f, fx->path, err, sizeof err), 0);
    fputs("metric,unit\r\n", f.fp);
    fflush(f.fp);

    assert_false(exists(fx->path));
    assert_true(exists(f.tmp_path));
    /* the temporary is beside the target, so rename is atomic */
    assert_int_equal(strncmp(f.tmp_path, fx->path, strlen(fx->path)), 0);
    assert_non_null(strstr(f.tmp_path, ".tmp."));
    char tmp_copy[600];
    snprintf(tmp_copy, sizeof tmp_copy, "%s", f.tmp_path);

    assert_int_equal(outfile_commit(&f, err, sizeof err), 0);
    assert_true(exists(fx->path));
    assert_false(exists(tmp_copy));
    assert_int_equal(count_entries(fx->dir), 1);
    char text[64];
    read_whole(fx->path, text, sizeof text);
    assert_string_equal(text, "metric,unit\r\n");
    assert_null(f.fp);
    assert_null(f.path);
    assert_null(f.tmp_path);
}

static void test_abort_leaves_no_file_and_no_temporary(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    outfile f;
    assert_int_equal(outfile_open(&f, fx->path, err, sizeof err), 0);
    fputs("half a row,", f.fp);
    outfile_abort(&f);
    assert_false(exists(fx->path));
    assert_int_equal(count_entries(fx->dir), 0);
    outfile_abort(&f); /* a second abort is harmless */
    assert_int_equal(count_entries(fx->dir), 0);
}

static void test_abort_keeps_the_previous_file(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    write_file(fx->path, "old\n");
    outfile f;
    assert_int_equal(outfile_open(&f, fx->path, err, sizeof err), 0);
    fputs("new\n", f.fp);
    outfile_abort(&f);
    char text[64];
    read_whole(fx->path, text, sizeof text);
    assert_string_equal(text, "old\n");
    assert_int_equal(count_entries(fx->dir), 1);
}

static void test_commit_replaces_an_existing_file(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    write_file(fx->path, "old contents that are longer\n");
    outfile f;
    assert_int_equal(outfile_open(&f, fx->path, err, sizeof err), 0);
    fputs("new\n", f.fp);
    fflush(f.fp);
    char text[64];
    read_whole(fx->path, text, sizeof text); /* readers still see the old file */
    assert_string_equal(text, "old contents that are longer\n");
    assert_int_equal(outfile_commit(&f, err, sizeof err), 0);
    read_whole(fx->path, text, sizeof text);
    assert_string_equal(text, "new\n");
    assert_int_equal(count_entries(fx->dir), 1);
}

static void test_abort_after_commit_does_nothing(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    outfile f;
    assert_int_equal(outfile_open(&f, fx->path, err, sizeof err), 0);
    fputs("x\n", f.fp);
    assert_int_equal(outfile_commit(&f, err, sizeof err), 0);
    outfile_abort(&f);
    assert_true(exists(fx->path));
    assert_int_equal(outfile_commit(&f, err, sizeof err), -1);
    assert_true(exists(fx->path));
}

static void test_open_under_a_regular_file_says_why(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    char blocker[512], path[700];
    snprintf(blocker, sizeof blocker, "%s/regular", fx->dir);
    write_file(blocker, "I am a file\n");
    snprintf(path, sizeof path, "%s/out.csv", blocker);
    outfile f;
    assert_int_equal(outfile_open(&f, path, err, sizeof err), -1);
    char expected[800];
    snprintf(expected, sizeof expected, "cannot create '%s': Not a directory", path);
    assert_string_equal(err, expected);
    assert_null(f.fp);
    outfile_abort(&f); /* safe on a failed open */
    assert_int_equal(count_entries(fx->dir), 1);
}

static void test_open_in_a_missing_directory_fails(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    char path[700];
    snprintf(path, sizeof path, "%s/no/such/dir/out.csv", fx->dir);
    outfile f;
    assert_int_equal(outfile_open(&f, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot create '"));
    assert_non_null(strstr(err, "No such file or directory"));
}

static void test_commit_onto_a_directory_fails_and_cleans_up(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    char sub[600], inner[700];
    snprintf(sub, sizeof sub, "%s/occupied", fx->dir);
    snprintf(inner, sizeof inner, "%s/file", sub);
    assert_int_equal(mkdir(sub, 0777), 0);
    write_file(inner, "keep\n");
    outfile f;
    assert_int_equal(outfile_open(&f, sub, err, sizeof err), 0);
    fputs("data\n", f.fp);
    assert_int_equal(outfile_commit(&f, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot rename '"));
    assert_int_equal(count_entries(fx->dir), 1); /* the temporary is gone */
    assert_true(exists(inner));
}

static void test_commit_reports_a_write_error(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    outfile f;
    assert_int_equal(outfile_open(&f, fx->path, err, sizeof err), 0);
    /* Swap the stream for one whose writes fail, as a full disk would. */
    fclose(f.fp);
    f.fp = fopen("/dev/full", "w");
    if (f.fp == NULL) {
        outfile_abort(&f);
        skip();
    }
    for (int i = 0; i < 10000; i++)
        fputs("0123456789", f.fp);
    assert_int_equal(outfile_commit(&f, err, sizeof err), -1);
    char expected[700];
    snprintf(expected, sizeof expected, "cannot write '%s': No space left on device", fx->path);
    assert_string_equal(err, expected);
    assert_false(exists(fx->path));
    assert_int_equal(count_entries(fx->dir), 0);
}

static void test_commit_without_a_stream_renames_what_another_writer_wrote(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    outfile f;
    assert_int_equal(outfile_open(&f, fx->path, err, sizeof err), 0);
    fclose(f.fp);
    f.fp = NULL;
    write_file(f.tmp_path, "written by a child process\n");
    assert_int_equal(outfile_commit(&f, err, sizeof err), 0);
    char text[64];
    read_whole(fx->path, text, sizeof text);
    assert_string_equal(text, "written by a child process\n");
    assert_int_equal(count_entries(fx->dir), 1);
}

static void test_two_open_outfiles_for_one_path_do_not_collide(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    outfile a, b;
    assert_int_equal(outfile_open(&a, fx->path, err, sizeof err), 0);
    assert_int_equal(outfile_open(&b, fx->path, err, sizeof err), 0);
    assert_string_not_equal(a.tmp_path, b.tmp_path);
    fputs("a\n", a.fp);
    fputs("b\n", b.fp);
    assert_int_equal(outfile_commit(&a, err, sizeof err), 0);
    assert_int_equal(outfile_commit(&b, err, sizeof err), 0);
    char text[64];
    read_whole(fx->path, text, sizeof text);
    assert_string_equal(text, "b\n");
    assert_int_equal(count_entries(fx->dir), 1);
}

static void test_make_dirs_creates_every_level(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    char dir[700];
    snprintf(dir, sizeof dir, "%s/a/b//c/", fx->dir);
    assert_int_equal(outfile_make_dirs(dir, err, sizeof err), 0);
    struct stat st;
    char leaf[700];
    snprintf(leaf, sizeof leaf, "%s/a/b/c", fx->dir);
    assert_int_equal(stat(leaf, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* again: existing directories are fine */
    assert_int_equal(outfile_make_dirs(dir, err, sizeof err), 0);
    assert_int_equal(outfile_make_dirs(fx->dir, err, sizeof err), 0);
    assert_int_equal(outfile_make_dirs("/", err, sizeof err), 0);
}

static void test_make_dirs_through_a_regular_file_names_it(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    char blocker[600], dir[700];
    snprintf(blocker, sizeof blocker, "%s/csv", fx->dir);
    write_file(blocker, "not a directory\n");
    snprintf(dir, sizeof dir, "%s/run1/plots", blocker);
    assert_int_equal(outfile_make_dirs(dir, err, sizeof err), -1);
    char expected[1600];
    snprintf(expected, sizeof expected,
             "cannot create directory '%s': '%s' exists and is not a directory", dir, blocker);
    assert_string_equal(err, expected);

    /* the leaf itself being a file is the same error */
    assert_int_equal(outfile_make_dirs(blocker, err, sizeof err), -1);
    assert_non_null(strstr(err, "exists and is not a directory"));
}

static void test_make_dirs_rejects_an_empty_name(void **state)
{
    (void)state;
    char err[512] = "";
    assert_int_equal(outfile_make_dirs("", err, sizeof err), -1);
    assert_string_equal(err, "cannot create directory '': empty name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_file_appears_only_after_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_leaves_no_file_and_no_temporary, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_abort_keeps_the_previous_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_replaces_an_existing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_after_commit_does_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_under_a_regular_file_says_why, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_open_in_a_missing_directory_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_onto_a_directory_fails_and_cleans_up, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_commit_reports_a_write_error, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_commit_without_a_stream_renames_what_another_writer_wrote, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_open_outfiles_for_one_path_do_not_collide,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_make_dirs_creates_every_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_make_dirs_through_a_regular_file_names_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_make_dirs_rejects_an_empty_name, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
