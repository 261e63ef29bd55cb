/* test-gtempfile.vala — libgtempfile from Vala, compiled against the VAPI
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Each test gets a scratch directory made by GLib; the library must leave it
 * empty, which removing it with rmdir() proves. */
delegate void ScratchTest (string scratch) throws Error;

void run_in_scratch (ScratchTest test, string[] keep = {}) {
  string scratch;
  try {
    scratch = DirUtils.make_tmp ("gtempfile-vala-XXXXXX");
    test (scratch);
  } catch (Error e) {
    error ("unexpected error: %s (%s, %d)", e.message, e.domain.to_string (), e.code);
  }
  foreach (unowned string name in keep) {
    assert_cmpint (FileUtils.unlink (Path.build_filename (scratch, name)), CompareOperator.EQ, 0);
  }
  assert_cmpint (DirUtils.remove (scratch), CompareOperator.EQ, 0);
}

void assert_io_error (Error e, int code, string? path = null) {
  if (!e.matches (IOError.quark (), code)) {
    error ("expected IOError %d, got %s %d: %s", code, e.domain.to_string (), e.code, e.message);
  }
  if (path != null) {
    assert_true (path in e.message);
  }
}

void write_string (IOStream stream, string text) throws Error {
  size_t written;
  stream.output_stream.write_all (text.data, out written);
  assert_cmpuint ((uint) written, CompareOperator.EQ, text.length);
}

string read_rest (IOStream stream) throws Error {
  var result = new StringBuilder ();
  for (;;) {
    var bytes = stream.input_stream.read_bytes (65536);
    if (bytes.get_size () == 0) {
      break;
    }
    result.append_len ((string) bytes.get_data (), (ssize_t) bytes.get_size ());
  }
  return result.str;
}

string read_file (string path) throws Error {
  string contents;
  FileUtils.get_contents (path, out contents);
  return contents;
}

uint32 unix_mode (string path) throws Error {
  var info = File.new_for_path (path).query_info ("unix::mode", FileQueryInfoFlags.NOFOLLOW_SYMLINKS);
  return info.get_attribute_uint32 ("unix::mode") & 07777;
}

void test_mkstemp () {
  run_in_scratch ((scratch) => {
    string path;
    int fd = GTempfile.mkstemp (scratch, "up_", ".bin", out path);
    assert_cmpint (fd, CompareOperator.GE, 0);
    Posix.close (fd);
    assert_cmpstr (Path.get_dirname (path), CompareOperator.EQ, scratch);
    var name = Path.get_basename (path);
    assert_true (name.has_prefix ("up_") && name.has_suffix (".bin"));
    assert_cmpint (name.length, CompareOperator.EQ, 3 + 8 + 4);
    assert_cmpuint (unix_mode (path), CompareOperator.EQ, 0600);
    FileUtils.unlink (path);
    assert_cmpstr (GTempfile.get_tempprefix (), CompareOperator.EQ, "tmp");
  });
}

/* A bare descriptor (a safe tmpfile()), made a GTmpFile afterwards. */
void test_anonymous () {
  run_in_scratch ((scratch) => {
    int fd = GTempfile.open_anonymous (scratch, 0);
    assert_cmpint (fd, CompareOperator.GE, 0);
    assert_true (Dir.open (scratch).read_name () == null);
    assert_cmpint ((int) Posix.write (fd, "by fd, ", 7), CompareOperator.EQ, 7);

    var f = GTempfile.adopt_anonymous (fd);
    assert_cmpint (f.get_fd (), CompareOperator.EQ, fd);
    write_string (f, "by stream");
    var dest = Path.build_filename (scratch, "kept.txt");
    assert_true (f.persist (dest, GTempfile.TmpPersistFlags.NONE));
    f.close ();
    assert_cmpstr (read_file (dest), CompareOperator.EQ, "by fd, by stream");

    try {
      GTempfile.open_anonymous (Path.build_filename (scratch, "missing"), 0);
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.NOT_FOUND, "missing");
    }

    /* A named file is not adopted, and stays the caller's. */
    string path;
    int named = GTempfile.mkstemp (scratch, null, null, out path);
    try {
      GTempfile.adopt_anonymous (named);
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.INVALID_ARGUMENT);
    }
    assert_cmpint (Posix.close (named), CompareOperator.EQ, 0);
    FileUtils.unlink (path);
  }, {"kept.txt"});
}

void test_tmp_file () {
  run_in_scratch ((scratch) => {
    var f = new GTempfile.TmpFile (scratch, null, null);
    write_string (f, "hello world");
    assert_true (Dir.open (scratch).read_name () == null);
    Posix.Stat st;
    assert_cmpint (Posix.fstat (f.get_fd (), out st), CompareOperator.EQ, 0);
    assert_cmpuint ((uint) st.st_nlink, CompareOperator.EQ, 0);
    assert_true (f.seek (6, SeekType.SET));
    assert_cmpstr (read_rest (f), CompareOperator.EQ, "world");
    assert_true (f.truncate (5));
    f.seek (0, SeekType.SET);
    assert_cmpstr (read_rest (f), CompareOperator.EQ, "hello");

    var dest = Path.build_filename (scratch, "kept.txt");
    assert_true (f.persist (dest, GTempfile.TmpPersistFlags.NO_REPLACE));
    f.close ();
    assert_cmpstr (read_file (dest), CompareOperator.EQ, "hello");
    assert_cmpuint (unix_mode (dest), CompareOperator.EQ, 0600);

    try {
      f.get_fd ();
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.CLOSED);
    }
  }, { "kept.txt" });
}

async void tmp_file_async (string scratch, MainLoop loop) {
  try {
    var f = yield GTempfile.TmpFile.new_async (scratch, null, null);
    write_string (f, "async");
    f.seek (0, SeekType.SET);
    assert_cmpstr (read_rest (f), CompareOperator.EQ, "async");
    f.close ();
  } catch (Error e) {
    error ("%s", e.message);
  }
  loop.quit ();
}

void test_tmp_file_async () {
  run_in_scratch ((scratch) => {
    var loop = new MainLoop ();
    tmp_file_async.begin (scratch, loop);
    loop.run ();
  });
}

void test_named_tmp_file () {
  run_in_scratch ((scratch) => {
    var f = new GTempfile.NamedTmpFile (scratch, "x", ".txt");
    var path = f.get_path ();
    assert_cmpstr (f.path, CompareOperator.EQ, path);
    assert_cmpstr (Path.get_dirname (path), CompareOperator.EQ, scratch);
    assert_true (Path.get_basename (path).has_prefix ("x"));
    assert_true (path.has_suffix (".txt"));
    assert_cmpuint (unix_mode (path), CompareOperator.EQ, 0600);
    write_string (f, "visible");
    f.output_stream.flush ();
    assert_cmpstr (read_file (path), CompareOperator.EQ, "visible");
    assert_cmpstr (f.get_file ().get_path (), CompareOperator.EQ, path);
    f.close ();
    assert_false (FileUtils.test (path, FileTest.EXISTS));
  });
}

void test_named_tmp_file_delete_on_close () {
  run_in_scratch ((scratch) => {
    var f = new GTempfile.NamedTmpFile (scratch, null, null);
    f.delete_on_close = false;
    var path = f.path;
    f.close ();
    assert_true (FileUtils.test (path, FileTest.EXISTS));
    assert_true (f.cleanup ());
    assert_false (FileUtils.test (path, FileTest.EXISTS));
    assert_true (f.cleanup ());
  });
}

void test_named_tmp_file_persist () {
  run_in_scratch ((scratch) => {
    var f = new GTempfile.NamedTmpFile (scratch, null, null);
    write_string (f, "final");
    var dest = Path.build_filename (scratch, "final.txt");
    f.persist (dest, GTempfile.TmpPersistFlags.NONE);
    assert_cmpstr (f.path, CompareOperator.EQ, dest);
    assert_false (f.delete);
    f.close ();
    assert_cmpstr (read_file (dest), CompareOperator.EQ, "final");
  }, { "final.txt" });
}

/* The _at variants with a directory descriptor from open(). */
void test_tmp_file_persist_at () {
  run_in_scratch ((scratch) => {
    int dfd = Posix.open (scratch, Posix.O_RDONLY);
    assert_cmpint (dfd, CompareOperator.GE, 0);
    var f = new GTempfile.TmpFile.at (dfd, null, null, null, 0);
    write_string (f, "saved by descriptor");
    f.persist_at (dfd, "doc.txt", GTempfile.TmpPersistFlags.SYNC);
    f.close ();
    assert_cmpstr (read_file (Path.build_filename (scratch, "doc.txt")), CompareOperator.EQ,
                   "saved by descriptor");

    var g = new GTempfile.TmpFile.at (dfd, null, null, null, 0);
    try {
      g.persist_at (dfd, "doc.txt", GTempfile.TmpPersistFlags.NO_REPLACE);
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.EXISTS, "doc.txt");
    }
    g.close ();
    assert_cmpint (Posix.close (dfd), CompareOperator.EQ, 0);
  }, { "doc.txt" });
}

void test_spooled_tmp_file () {
  run_in_scratch ((scratch) => {
    var f = new GTempfile.SpooledTmpFile (16, scratch, null, null);
    assert_cmpuint ((uint) f.max_size, CompareOperator.EQ, 16);
    int notified = 0;
    f.notify["rolled-over"].connect (() => { notified++; });
    write_string (f, "0123456789");
    assert_false (f.is_rolled_over ());
    write_string (f, "abcdefghij");
    assert_true (f.rolled_over);
    assert_cmpint (notified, CompareOperator.EQ, 1);
    assert_cmpint ((int) f.tell (), CompareOperator.EQ, 20);
    assert_true (Dir.open (scratch).read_name () == null);
    f.seek (0, SeekType.SET);
    assert_cmpstr (read_rest (f), CompareOperator.EQ, "0123456789abcdefghij");
    f.close ();
  });
}

void test_spooled_tmp_file_missing_dir () {
  run_in_scratch ((scratch) => {
    var missing = Path.build_filename (scratch, "missing");
    var f = new GTempfile.SpooledTmpFile (4, missing, null, null);
    write_string (f, "1234");
    try {
      f.rollover ();
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.NOT_FOUND, missing);
    }
    assert_false (f.is_rolled_over ());
    f.seek (0, SeekType.SET);
    assert_cmpstr (read_rest (f), CompareOperator.EQ, "1234");
    f.close ();
  });
}

void test_tmp_dir () {
  run_in_scratch ((scratch) => {
    var d = new GTempfile.TmpDir (scratch, "build_", null);
    var path = d.get_path ();
    assert_cmpstr (d.path, CompareOperator.EQ, path);
    assert_true (Path.get_basename (path).has_prefix ("build_"));
    assert_cmpuint (unix_mode (path), CompareOperator.EQ, 0700);
    assert_cmpint (DirUtils.create_with_parents (Path.build_filename (path, "a", "b"), 0755), CompareOperator.EQ, 0);
    FileUtils.set_contents (Path.build_filename (path, "a", "b", "f"), "x");
    assert_cmpint (d.get_fd (), CompareOperator.GE, 0);
    assert_true (d.cleanup ());
    assert_false (FileUtils.test (path, FileTest.EXISTS));
    assert_cmpint (d.get_fd (), CompareOperator.EQ, -1);
    assert_true (d.cleanup ());
  });
}

void test_tmp_dir_delete_false () {
  run_in_scratch ((scratch) => {
    string path;
    {
      var d = new GTempfile.TmpDir (scratch, null, null);
      d.delete = false;
      path = d.path;
      FileUtils.set_contents (Path.build_filename (path, "f"), "x");
    }
    /* The last reference is gone: dispose kept it because of delete=false. */
    assert_cmpstr (read_file (Path.build_filename (path, "f")), CompareOperator.EQ, "x");
    assert_cmpint (FileUtils.unlink (Path.build_filename (path, "f")), CompareOperator.EQ, 0);
    assert_cmpint (DirUtils.remove (path), CompareOperator.EQ, 0);

    /* An explicit cleanup removes it all the same (Python 3.12). */
    var d = (GTempfile.TmpDir) Object.new (typeof (GTempfile.TmpDir), "dir", scratch, "delete", false);
    d.init ();
    assert_false (d.delete);
    path = d.path;
    assert_cmpint (DirUtils.create_with_parents (Path.build_filename (path, "a", "b"), 0755), CompareOperator.EQ, 0);
    FileUtils.set_contents (Path.build_filename (path, "a", "b", "f"), "x");
    assert_true (d.cleanup ());
    assert_false (FileUtils.test (path, FileTest.EXISTS));
    assert_true (d.cleanup ());
  });
}

/* Runs one of the async tests below to its end in a main loop. */
delegate void AsyncStart (string scratch, AsyncReadyCallback done);
delegate void AsyncFinish (AsyncResult result) throws Error;

void run_async_in_scratch (AsyncStart start, AsyncFinish finish, string[] keep = {}) {
  run_in_scratch ((scratch) => {
    var loop = new MainLoop ();
    AsyncResult? result = null;
    start (scratch, (obj, res) => {
      result = res;
      loop.quit ();
    });
    loop.run ();
    finish (result);
  }, keep);
}

async void tmp_dir_async (string scratch) throws Error {
  var d = yield GTempfile.TmpDir.new_async (scratch, "async_", null);
  var path = d.path;
  assert_true (Path.get_basename (path).has_prefix ("async_"));
  assert_cmpuint (unix_mode (path), CompareOperator.EQ, 0700);
  FileUtils.set_contents (Path.build_filename (path, "f"), "x");
  /* delete=false does not stop an explicit cleanup. */
  d.delete = false;
  assert_true (yield d.cleanup_async ());
  assert_false (FileUtils.test (path, FileTest.EXISTS));
  assert_cmpint (d.get_fd (), CompareOperator.EQ, -1);

  var missing = Path.build_filename (scratch, "missing");
  try {
    yield GTempfile.TmpDir.new_async (missing, null, null);
    assert_not_reached ();
  } catch (Error e) {
    assert_io_error (e, IOError.NOT_FOUND, missing);
  }
  var cancellable = new Cancellable ();
  cancellable.cancel ();
  try {
    yield GTempfile.TmpDir.new_async (scratch, null, null, Priority.DEFAULT, cancellable);
    assert_not_reached ();
  } catch (Error e) {
    assert_io_error (e, IOError.CANCELLED);
  }
}

void test_tmp_dir_async () {
  run_async_in_scratch ((scratch, done) => tmp_dir_async.begin (scratch, done),
                        (res) => tmp_dir_async.end (res));
}

async void tmp_file_persist_async (string scratch) throws Error {
  var dest = Path.build_filename (scratch, "kept.txt");
  var f = yield GTempfile.TmpFile.new_async (scratch, null, null);
  write_string (f, "async");
  assert_true (yield f.persist_async (dest, GTempfile.TmpPersistFlags.NO_REPLACE, Priority.DEFAULT, null));
  write_string (f, "!");
  f.close ();
  assert_cmpstr (read_file (dest), CompareOperator.EQ, "async!");
  assert_cmpuint (unix_mode (dest), CompareOperator.EQ, 0600);

  /* NO_REPLACE onto an existing path: EXISTS, the destination untouched. */
  var g = yield GTempfile.TmpFile.new_async (scratch, null, null);
  write_string (g, "other");
  try {
    yield g.persist_async (dest, GTempfile.TmpPersistFlags.NO_REPLACE, Priority.DEFAULT, null);
    assert_not_reached ();
  } catch (Error e) {
    assert_io_error (e, IOError.EXISTS, dest);
  }
  g.close ();
  assert_cmpstr (read_file (dest), CompareOperator.EQ, "async!");
}

void test_tmp_file_persist_async () {
  run_async_in_scratch ((scratch, done) => tmp_file_persist_async.begin (scratch, done),
                        (res) => tmp_file_persist_async.end (res),
                        { "kept.txt" });
}

async void named_tmp_file_persist_async (string scratch) throws Error {
  var dest = Path.build_filename (scratch, "final.txt");
  var f = new GTempfile.NamedTmpFile (scratch, "x", ".part");
  var temp = f.path;
  write_string (f, "final");
  assert_true (yield f.persist_async (dest, GTempfile.TmpPersistFlags.NONE));
  assert_cmpstr (f.path, CompareOperator.EQ, dest);
  assert_false (f.delete);
  assert_false (FileUtils.test (temp, FileTest.EXISTS));
  assert_true (f.cleanup ());
  assert_cmpstr (read_file (dest), CompareOperator.EQ, "final");

  /* A failed persist changes nothing: the temporary keeps its name and is
   * still removed when closed. */
  var g = new GTempfile.NamedTmpFile (scratch, "y", null);
  write_string (g, "other");
  try {
    yield g.persist_async (dest, GTempfile.TmpPersistFlags.NO_REPLACE, Priority.DEFAULT, null);
    assert_not_reached ();
  } catch (Error e) {
    assert_io_error (e, IOError.EXISTS, dest);
  }
  assert_true (g.delete);
  assert_true (FileUtils.test (g.path, FileTest.EXISTS));
  g.close ();
  assert_false (FileUtils.test (g.path, FileTest.EXISTS));
  assert_cmpstr (read_file (dest), CompareOperator.EQ, "final");
}

void test_named_tmp_file_persist_async () {
  run_async_in_scratch ((scratch, done) => named_tmp_file_persist_async.begin (scratch, done),
                        (res) => named_tmp_file_persist_async.end (res),
                        { "final.txt" });
}

/* Each class's own async constructor: NamedTmpFile.new_async makes a
 * NamedTmpFile, SpooledTmpFile.new_async a SpooledTmpFile. */
async void own_async_constructors (string scratch) throws Error {
  GTempfile.NamedTmpFile named = yield GTempfile.NamedTmpFile.new_async (scratch, "n_", ".txt");
  assert_cmpstr (Path.get_dirname (named.path), CompareOperator.EQ, scratch);
  assert_true (Path.get_basename (named.path).has_prefix ("n_"));
  write_string (named, "named");
  assert_cmpstr (read_file (named.path), CompareOperator.EQ, "named");
  named.close ();
  assert_false (FileUtils.test (named.path, FileTest.EXISTS));

  GTempfile.SpooledTmpFile spooled = yield GTempfile.SpooledTmpFile.new_async (4, scratch, null, null);
  write_string (spooled, "1234");
  assert_false (spooled.rolled_over);
  write_string (spooled, "5");
  assert_true (spooled.rolled_over);
  spooled.close ();
}

void test_own_async_constructors () {
  run_async_in_scratch ((scratch, done) => own_async_constructors.begin (scratch, done),
                        (res) => own_async_constructors.end (res));
}

/* Property and getter have one type, so they compare and assign without a
 * cast (the build turns valac's warnings into errors for this file's
 * standalone twin, tests/vala/standalone.vala). */
void test_spooled_max_size () {
  var spooled = new GTempfile.SpooledTmpFile (1 << 20, null, null, null);
  uint64 from_property = spooled.max_size;
  uint64 from_getter = spooled.get_max_size ();
  assert_true (from_property == from_getter);
  assert_true (from_getter == 1 << 20);

  var made = (GTempfile.SpooledTmpFile) Object.new (typeof (GTempfile.SpooledTmpFile), max_size: (uint64) 7);
  assert_true (made.max_size == 7 && made.get_max_size () == made.max_size);
}

/* Object.new () is GObject construction without GInitable.init: every call
 * says so, and init () makes the object whole. */
void test_not_initialized () {
  run_in_scratch ((scratch) => {
    var f = (GTempfile.NamedTmpFile) Object.new (typeof (GTempfile.NamedTmpFile), dir: scratch, prefix: "half_");
    try {
      f.get_fd ();
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.NOT_INITIALIZED, "init()");
    }
    try {
      write_string (f, "x");
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.NOT_INITIALIZED);
    }
    try {
      f.cleanup ();
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.NOT_INITIALIZED);
    }
    assert_true (Dir.open (scratch).read_name () == null);

    f.init ();
    write_string (f, "whole");
    assert_cmpstr (read_file (f.path), CompareOperator.EQ, "whole");
    assert_true (f.cleanup ());

    var d = (GTempfile.TmpDir) Object.new (typeof (GTempfile.TmpDir), dir: scratch);
    try {
      d.cleanup ();
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.NOT_INITIALIZED);
    }
  });
}

/* Publishing a built tree: rename into place, exchange with the live one. */
void test_tmp_dir_persist () {
  run_in_scratch ((scratch) => {
    var site = Path.build_filename (scratch, "site");
    var d = new GTempfile.TmpDir (scratch, ".build-", null);
    var path = d.path;
    FileUtils.set_contents (Path.build_filename (path, "index.html"), "new");
    assert_true (d.persist (site, GTempfile.TmpPersistFlags.SYNC));
    assert_cmpstr (d.path, CompareOperator.EQ, site);
    assert_false (d.delete);
    assert_true (d.cleanup ());
    assert_cmpstr (read_file (Path.build_filename (site, "index.html")), CompareOperator.EQ, "new");

    var e = new GTempfile.TmpDir (scratch, ".build-", null);
    var e_path = e.path;
    FileUtils.set_contents (Path.build_filename (e_path, "index.html"), "newer");
    try {
      e.persist (site, GTempfile.TmpPersistFlags.NO_REPLACE);
      assert_not_reached ();
    } catch (Error err) {
      assert_io_error (err, IOError.EXISTS, site);
    }
    assert_true (e.persist (site, GTempfile.TmpPersistFlags.EXCHANGE));
    assert_cmpstr (read_file (Path.build_filename (site, "index.html")), CompareOperator.EQ, "newer");
    assert_cmpstr (read_file (Path.build_filename (e_path, "index.html")), CompareOperator.EQ, "new");
    assert_true (e.cleanup ());
    assert_false (FileUtils.test (e_path, FileTest.EXISTS));

    FileUtils.unlink (Path.build_filename (site, "index.html"));
    DirUtils.remove (site);
  });
}

async void sweep_async (string scratch) throws Error {
  var d = new GTempfile.TmpDir (scratch, ".build-", null);
  var site = Path.build_filename (scratch, "site");
  assert_true (yield d.persist_async (site, GTempfile.TmpPersistFlags.NONE));
  assert_cmpstr (d.path, CompareOperator.EQ, site);
  DirUtils.remove (site);

  /* A leftover of the library's shape, an hour old. */
  string leftover;
  var fd = GTempfile.mkstemp (scratch, "app-", null, out leftover);
  Posix.close (fd);
  var old = new Posix.timespec[2];
  old[0].tv_sec = old[1].tv_sec = (time_t) (get_real_time () / TimeSpan.SECOND - 3600);
  Posix.utimensat (Posix.AT_FDCWD, leftover, old, 0);
  var keep = Path.build_filename (scratch, "app-KEEPKEEP");
  FileUtils.set_contents (keep, "");

  try {
    GTempfile.sweep (scratch, "a/b", null, 0, 0);
    assert_not_reached ();
  } catch (Error e) {
    assert_io_error (e, IOError.INVALID_ARGUMENT);
  }
  assert_cmpint (GTempfile.sweep (scratch, "app-", null, 0, 24 * TimeSpan.HOUR), CompareOperator.EQ, 0);
  assert_cmpint (yield GTempfile.sweep_async (scratch, "app-", null, 0, 10 * TimeSpan.MINUTE),
                 CompareOperator.EQ, 1);
  assert_false (FileUtils.test (leftover, FileTest.EXISTS));
  assert_true (FileUtils.test (keep, FileTest.EXISTS));
}

void test_sweep () {
  run_async_in_scratch ((scratch, done) => sweep_async.begin (scratch, done),
                        (res) => sweep_async.end (res),
                        { "app-KEEPKEEP" });
}

void test_missing_dir () {
  run_in_scratch ((scratch) => {
    var missing = Path.build_filename (scratch, "missing");
    try {
      new GTempfile.TmpFile (missing, null, null);
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.NOT_FOUND, missing);
    }
    try {
      new GTempfile.NamedTmpFile (missing, "x", ".txt");
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.NOT_FOUND, missing);
    }
    try {
      new GTempfile.TmpDir (missing, "build_", null);
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.NOT_FOUND, missing);
    }
    try {
      GTempfile.mkdtemp (missing, null, null);
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.NOT_FOUND, missing);
    }
  });
}

/* @name is @prefix, @length characters of the library's name alphabet,
 * @suffix. */
void assert_name (string path, string dir, string prefix, int length, string suffix = "") {
  assert_cmpstr (Path.get_dirname (path), CompareOperator.EQ, dir);
  var pattern = "^%s[a-z0-9_]{%d}%s$".printf (Regex.escape_string (prefix), length,
                                             Regex.escape_string (suffix));
  assert_true (Regex.match_simple (pattern, Path.get_basename (path)));
}

void test_full () {
  var old_umask = Posix.umask (022);
  run_in_scratch ((scratch) => {
    string path;
    int fd = GTempfile.mkstemp_full (scratch, "full_", ".bin", 0640, 16, out path);
    assert_cmpint (fd, CompareOperator.GE, 0);
    Posix.close (fd);
    assert_name (path, scratch, "full_", 16, ".bin");
    assert_cmpuint (unix_mode (path), CompareOperator.EQ, 0640);
    FileUtils.unlink (path);

    var dir_path = GTempfile.mkdtemp_full (scratch, "d_", null, 0750, 128);
    assert_name (dir_path, scratch, "d_", 128);
    assert_cmpuint (unix_mode (dir_path), CompareOperator.EQ, 0750);
    DirUtils.remove (dir_path);

    var named = new GTempfile.NamedTmpFile.full (scratch, "n_", null, 0640, 24);
    assert_name (named.get_path (), scratch, "n_", 24);
    assert_cmpuint (unix_mode (named.get_path ()), CompareOperator.EQ, 0640);
    assert_cmpuint (named.random_length, CompareOperator.EQ, 24);
    assert_cmpuint (named.mode, CompareOperator.EQ, 0640);
    named.close ();

    var anonymous = new GTempfile.TmpFile.full (scratch, null, null, 0, 0);
    Posix.Stat st;
    assert_cmpint (Posix.fstat (anonymous.get_fd (), out st), CompareOperator.EQ, 0);
    assert_cmpuint ((uint) st.st_mode & 07777, CompareOperator.EQ, 0600);
    assert_cmpuint (anonymous.random_length, CompareOperator.EQ, 8);
    anonymous.close ();

    var spooled = new GTempfile.SpooledTmpFile.full (4, scratch, null, null, 0640, 16);
    assert_cmpuint (spooled.random_length, CompareOperator.EQ, 16);
    write_string (spooled, "past max-size");
    assert_true (spooled.rolled_over);
    assert_cmpint (Posix.fstat (spooled.get_fd (), out st), CompareOperator.EQ, 0);
    assert_cmpuint ((uint) st.st_mode & 07777, CompareOperator.EQ, 0640);
    spooled.close ();

    var dir = new GTempfile.TmpDir.full (scratch, "d_", null, 0750, 20);
    assert_name (dir.path, scratch, "d_", 20);
    assert_cmpuint (unix_mode (dir.path), CompareOperator.EQ, 0750);
    dir.cleanup ();

    try {
      new GTempfile.NamedTmpFile.full (scratch, null, null, 0, 7);
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.INVALID_ARGUMENT, scratch);
    }
    try {
      GTempfile.mkdtemp_full (scratch, null, null, 0, 129);
      assert_not_reached ();
    } catch (Error e) {
      assert_io_error (e, IOError.INVALID_ARGUMENT, scratch);
    }
  });
  Posix.umask (old_umask);
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/vala/module/mkstemp", test_mkstemp);
  Test.add_func ("/vala/module/anonymous", test_anonymous);
  Test.add_func ("/vala/tmp-file/read-write-persist", test_tmp_file);
  Test.add_func ("/vala/tmp-file/async", test_tmp_file_async);
  Test.add_func ("/vala/tmp-file/persist-async", test_tmp_file_persist_async);
  Test.add_func ("/vala/tmp-file/persist-at", test_tmp_file_persist_at);
  Test.add_func ("/vala/named-tmp-file/lifecycle", test_named_tmp_file);
  Test.add_func ("/vala/named-tmp-file/delete-on-close", test_named_tmp_file_delete_on_close);
  Test.add_func ("/vala/named-tmp-file/persist", test_named_tmp_file_persist);
  Test.add_func ("/vala/named-tmp-file/persist-async", test_named_tmp_file_persist_async);
  Test.add_func ("/vala/spooled-tmp-file/rollover", test_spooled_tmp_file);
  Test.add_func ("/vala/spooled-tmp-file/missing-dir", test_spooled_tmp_file_missing_dir);
  Test.add_func ("/vala/tmp-dir/lifecycle", test_tmp_dir);
  Test.add_func ("/vala/tmp-dir/delete-false", test_tmp_dir_delete_false);
  Test.add_func ("/vala/tmp-dir/async", test_tmp_dir_async);
  Test.add_func ("/vala/tmp-dir/persist", test_tmp_dir_persist);
  Test.add_func ("/vala/module/sweep", test_sweep);
  Test.add_func ("/vala/missing-dir", test_missing_dir);
  Test.add_func ("/vala/full", test_full);
  Test.add_func ("/vala/gi/own-async-constructors", test_own_async_constructors);
  Test.add_func ("/vala/gi/spooled-max-size", test_spooled_max_size);
  Test.add_func ("/vala/gi/not-initialized", test_not_initialized);
  return Test.run ();
}
