/* getting-started.vala — the three tasks of the "Getting started" guide
 * (doc/getting-started.md, whose Vala blocks are copied from this file;
 * doc/check-snippets.py checks that they stay the same), run and checked.
 *
 * Usage: getting-started    prints what it did, exits 1 on a surprise
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

string scratch_file () throws Error {
    var scratch = new GTempfile.TmpFile (null, "scratch-", null);
    size_t written;
    scratch.output_stream.write_all ("intermediate data\n".data, out written);
    scratch.seek (0, SeekType.SET);
    var bytes = scratch.input_stream.read_bytes (64);
    scratch.close ();
    return ((string) bytes.get_data ()).substring (0, (long) bytes.get_size ());
}

void save_document (string path, string text) throws Error {
    var tmp = new GTempfile.TmpFile (Path.get_dirname (path), null, null);
    size_t written;
    tmp.output_stream.write_all (text.data, out written);
    tmp.persist (path, GTempfile.TmpPersistFlags.SYNC
                       | GTempfile.TmpPersistFlags.DOCUMENT_MODE);
}

string count_lines_in_scratch_dir () throws Error {
    var scratch = new GTempfile.TmpDir (null, "build-", null);
    scratch.get_file ().get_child ("input.txt").replace_contents (
        "one\ntwo\n".data, null, false, FileCreateFlags.NONE, null);
    var launcher = new SubprocessLauncher (SubprocessFlags.STDOUT_PIPE);
    launcher.set_cwd (scratch.get_path ());
    var tool = launcher.spawnv ({ "wc", "-l", "input.txt" });
    string stdout_text;
    tool.communicate_utf8 (null, null, out stdout_text, null);
    tool.wait_check ();
    // On an error above, dropping scratch removes the tree silently.
    scratch.cleanup ();
    return stdout_text.strip ().split (" ")[0];
}

bool check (string what, string got, string expected) {
    print ("%s: %s\n", what, got);
    if (got != expected)
        printerr ("%s: expected %s\n", what, expected);
    return got == expected;
}

string mode_of (string path) throws Error {
    var info = File.new_for_path (path).query_info ("unix::mode", FileQueryInfoFlags.NOFOLLOW_SYMLINKS);
    return "%o".printf (info.get_attribute_uint32 ("unix::mode") & 07777);
}

int main () {
    bool ok = true;

    try {
        ok &= check ("scratch file", scratch_file (), "intermediate data\n");

        var documents = new GTempfile.TmpDir (null, "documents-", null);
        var path = Path.build_filename (documents.get_path (), "notes.txt");

        save_document (path, "first\n");
        print ("new document's mode: %s\n", mode_of (path));

        FileUtils.chmod (path, 0640);
        save_document (path, "second\n");
        ok &= check ("replaced document's mode", mode_of (path), "640");
        string contents;
        FileUtils.get_contents (path, out contents);
        ok &= check ("document", contents, "second\n");
        var names = Dir.open (documents.get_path ());
        ok &= check ("directory", names.read_name (), "notes.txt");
        ok &= names.read_name () == null;
        documents.cleanup ();

        ok &= check ("lines counted in a scratch directory", count_lines_in_scratch_dir (), "2");
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }

    return ok ? 0 : 1;
}
